import Authorization
import FHIRProfiles
import Foundation
import Hummingbird
import Logging
import MLLP
import Mapping
import PostgresNIO
import ServiceLifecycle
import Store
import Webhooks

/// Builds the hub: the one place where its parts are wired together, for `serve` and for tests alike.
public func buildApplication(
    configuration: HubConfiguration, database: HubDatabase, logger: Logger
) throws -> some ApplicationProtocol {
    let security = try HubSecurity.load(configuration, logger: logger)
    let registry = try loadRegistry(configuration)
    let (store, catalog) = try makeStore(configuration, registry: registry, client: database.client, logger: logger)
    let audit = AuditTrail(store: store, logger: logger)
    let handler = RestHandler(
        store: store, registry: registry, limits: configuration.limits, subscriptions: catalog, audit: audit,
        tokenEndpoint: security?.configuration.tokenEndpoint, logger: logger
    )
    let router = Router(context: HubRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware(publicBaseURL: configuration.publicBaseURL))
    router.add(middleware: OperationOutcomeMiddleware(logger: logger))
    let limiter = configuration.rateLimit.map { RateLimiter($0) }
    router.add(middleware: AuthenticationMiddleware(security: security, audit: audit, failures: limiter))
    if let limiter { router.add(middleware: RateLimitMiddleware(limiter: limiter)) }
    router.get("health") { _, _ in "ok" }
    if let security { AuthRoutes(security: security, audit: audit).add(to: router) }
    FHIRRoutes(handler: handler, maximumBodySize: configuration.maximumBodySize, publicBaseURL: configuration.publicBaseURL)
        .add(to: router)
    let pipeline = IngestPipeline(
        store: store, handler: handler, mappings: try loadMappings(configuration), audit: audit, logger: logger
    )
    IngestRoutes(pipeline: pipeline, maximumBodySize: configuration.maximumBodySize).add(to: router)
    PaymentRoutes(
        gateways: try configuration.paymentGatewaysFile.map { try PaymentGateways(contentsOf: $0) } ?? .none,
        posting: PaymentPosting(handler: handler, logger: logger),
        maximumBodySize: min(configuration.maximumBodySize, PaymentRoutes.defaultMaximumBodySize)
    ).add(to: router)
    WebhookRoutes(store: store, catalog: catalog).add(to: router)
    var app = Application(
        router: router,
        configuration: .init(
            address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: nil
        ),
        logger: logger
    )
    app.addServices(database.services)
    let migrated = MigrationGate()
    // Added before the services that record into it, so it stops after them (services stop in reverse order)
    // and writes what they recorded last; and after the database, which it needs until then.
    app.addServices(StartAfterMigrations(gate: migrated, service: audit))
    if let mllp = try configuration.mllpConfiguration() {
        let listener = MLLPListener(configuration: mllp, handler: IngestMLLPHandler(pipeline: pipeline), logger: logger)
        app.addServices(StartAfterMigrations(gate: migrated, service: listener))
    }
    let base = configuration.fhirBaseURL
    let webhooks = configuration.webhooks
    let settings = DispatcherSettings(
        base: base, pollInterval: .milliseconds(webhooks.pollMilliseconds), defaultTimeout: .seconds(webhooks.timeoutSeconds),
        retry: RetryPolicy(schedule: try webhooks.retrySchedule.map { try RetrySchedule(parsing: $0) } ?? .standard),
        onAttempt: { audit.record(AuditRecord(webhookAttempt: $0)) }
    )
    app.addServices(StartAfterMigrations(
        gate: migrated, service: WebhookDeliveryService(store: store, catalog: catalog, settings: settings, logger: logger)
    ))
    let client = database.client
    app.beforeServerStarts {
        try await Migrator(client: client, logger: logger).migrate()
        migrated.open()
    }
    return app
}

/// The ingest pipeline over `client` without the HTTP server, for `carebridge ingest`; its audit trail is written
/// by `IngestPipeline.flushAudit()`.
public func makeIngestPipeline(configuration: HubConfiguration, client: PostgresClient, logger: Logger) throws -> IngestPipeline {
    let registry = try loadRegistry(configuration)
    let (store, catalog) = try makeStore(configuration, registry: registry, client: client, logger: logger)
    let handler = RestHandler(
        store: store, registry: registry, limits: configuration.limits, subscriptions: catalog, logger: logger
    )
    return IngestPipeline(
        store: store, handler: handler, mappings: try loadMappings(configuration),
        audit: AuditTrail(store: store, logger: logger), logger: logger
    )
}

/// The store, with the subscription matcher that writes outbox events in each write's transaction, and the
/// subscriptions and topics it matches against.
func makeStore(
    _ configuration: HubConfiguration, registry: ProfileRegistry, client: PostgresClient, logger: Logger
) throws -> (ResourceStore, SubscriptionCatalog) {
    let topicsFolder = try configuration.webhooks.topicsDirectory.map { URL(fileURLWithPath: $0) }
        ?? profilesFolder(configuration).appendingPathComponent("topics", isDirectory: true)
    let catalog = SubscriptionCatalog(
        topics: try TopicCatalog.load(from: topicsFolder), registry: registry,
        endpoints: try EndpointPolicy(allowing: configuration.webhooks.allowedHosts), logger: logger
    )
    let matcher = SubscriptionMatcher(catalog: catalog) { catalog.requestRefresh() }
    var store = try ResourceStore(client: client, registry: registry, logger: logger, observer: matcher)
    store.searchTimeout = configuration.searchTimeout
    catalog.attach(store)
    return (store, catalog)
}

/// The profiles folder: the configured one, or the usual places.
func profilesFolder(_ configuration: HubConfiguration) throws -> URL {
    try configuration.profilesDirectory.map { URL(fileURLWithPath: $0) } ?? ProfileRegistry.locateDefaultDirectory()
}

/// Loads the HL7v2 mappings from the configured folder, or the usual places.
public func loadMappings(_ configuration: HubConfiguration) throws -> MappingLibrary {
    if let folder = configuration.mappingsDirectory {
        return try MappingLibrary(directory: URL(fileURLWithPath: folder))
    }
    guard let folder = MappingSet.locateDefaultDirectory() else {
        throw HubStartError("No mappings folder found: give --mappings-dir or CAREBRIDGE_MAPPINGS_DIR")
    }
    return try MappingLibrary(directory: folder)
}

/// Loads the profiles from the configured folder, or the usual places.
public func loadRegistry(_ configuration: HubConfiguration) throws -> ProfileRegistry {
    try ProfileRegistry.load(from: profilesFolder(configuration))
}

/// A reason the hub cannot start, for the operator.
public struct HubStartError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
