import FHIRProfiles
import Foundation
import Hummingbird
import Logging
import MLLP
import Mapping
import PostgresNIO
import ServiceLifecycle
import Store

/// Builds the hub: the one place where its parts are wired together, for `serve` and for tests alike.
public func buildApplication(
    configuration: HubConfiguration, database: HubDatabase, logger: Logger
) throws -> some ApplicationProtocol {
    let registry = try loadRegistry(configuration)
    let store = try ResourceStore(client: database.client, registry: registry, logger: logger)
    let handler = RestHandler(store: store, registry: registry, limits: configuration.limits, logger: logger)
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: OperationOutcomeMiddleware(logger: logger))
    router.get("health") { _, _ in "ok" }
    FHIRRoutes(handler: handler, maximumBodySize: configuration.maximumBodySize, publicBaseURL: configuration.publicBaseURL)
        .add(to: router)
    let pipeline = IngestPipeline(store: store, handler: handler, mappings: try loadMappings(configuration), logger: logger)
    IngestRoutes(pipeline: pipeline, maximumBodySize: configuration.maximumBodySize).add(to: router)
    PaymentRoutes(
        gateways: try configuration.paymentGatewaysFile.map { try PaymentGateways(contentsOf: $0) } ?? .none,
        posting: PaymentPosting(handler: handler, logger: logger),
        maximumBodySize: min(configuration.maximumBodySize, PaymentRoutes.defaultMaximumBodySize)
    ).add(to: router)
    var app = Application(
        router: router,
        configuration: .init(
            address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "CareBridge"
        ),
        logger: logger
    )
    app.addServices(database.services)
    let migrated = MigrationGate()
    if let port = configuration.mllpPort {
        let mllp = MLLPConfiguration(
            host: configuration.httpHost, port: port, maximumFrameSize: configuration.mllpMaximumFrameSize,
            idleTimeout: .seconds(configuration.mllpIdleTimeoutSeconds),
            allowedSources: try configuration.mllpAllowedSources?.map { try MLLPAddressRange($0) })
        let listener = MLLPListener(configuration: mllp, handler: IngestMLLPHandler(pipeline: pipeline), logger: logger)
        app.addServices(StartAfterMigrations(gate: migrated, service: listener))
    }
    let client = database.client
    app.beforeServerStarts {
        try await Migrator(client: client, logger: logger).migrate()
        migrated.open()
    }
    return app
}

/// The ingest pipeline over `client` without the HTTP server, for `carebridge ingest`.
public func makeIngestPipeline(configuration: HubConfiguration, client: PostgresClient, logger: Logger) throws -> IngestPipeline {
    let registry = try loadRegistry(configuration)
    let store = try ResourceStore(client: client, registry: registry, logger: logger)
    let handler = RestHandler(store: store, registry: registry, limits: configuration.limits, logger: logger)
    return IngestPipeline(store: store, handler: handler, mappings: try loadMappings(configuration), logger: logger)
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
    if let folder = configuration.profilesDirectory {
        return try ProfileRegistry.load(from: URL(fileURLWithPath: folder))
    }
    return try ProfileRegistry.load(from: ProfileRegistry.locateDefaultDirectory())
}

/// A reason the hub cannot start, for the operator.
public struct HubStartError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
