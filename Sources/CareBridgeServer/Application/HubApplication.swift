import FHIRProfiles
import Foundation
import Hummingbird
import Logging
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
    var app = Application(
        router: router,
        configuration: .init(
            address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "CareBridge"
        ),
        logger: logger
    )
    app.addServices(database.services)
    let client = database.client
    app.beforeServerStarts {
        try await Migrator(client: client, logger: logger).migrate()
    }
    return app
}

/// Loads the profiles from the configured folder, or the usual places.
public func loadRegistry(_ configuration: HubConfiguration) throws -> ProfileRegistry {
    if let folder = configuration.profilesDirectory {
        return try ProfileRegistry.load(from: URL(fileURLWithPath: folder))
    }
    return try ProfileRegistry.load(from: ProfileRegistry.locateDefaultDirectory())
}
