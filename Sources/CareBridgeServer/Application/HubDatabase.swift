import EmbeddedPostgres
import Logging
import PostgresNIO
import ServiceLifecycle
import Store

/// The hub's database: a `DATABASE_URL` server, or the embedded cluster started (and later stopped) here.
public struct HubDatabase: Sendable {
    /// The connection pool (a service: it must run in the service group).
    public let client: PostgresClient
    /// The embedded cluster, when one was started.
    public let cluster: EmbeddedCluster?

    /// The name of the hub's database inside the embedded cluster.
    public static let embeddedDatabaseName = "carebridge"

    /// Opens the database the configuration names, starting the embedded cluster if there is no URL.
    public static func open(_ configuration: HubConfiguration, logger: Logger) throws -> HubDatabase {
        var poolLogger = logger
        poolLogger.logLevel = max(logger.logLevel, .notice)
        if let url = configuration.databaseURL, !url.isEmpty {
            let location = try DatabaseLocation(url: url)
            return HubDatabase(client: PostgresClient(configuration: tuned(location), backgroundLogger: poolLogger), cluster: nil)
        }
        let cluster = try EmbeddedCluster.start(dataDirectory: configuration.dataDirectory, logger: logger)
        try cluster.createDatabase(embeddedDatabaseName)
        let location = DatabaseLocation(socketPath: cluster.socketPath, user: EmbeddedCluster.superuser, database: embeddedDatabaseName)
        return HubDatabase(client: PostgresClient(configuration: tuned(location), backgroundLogger: poolLogger), cluster: cluster)
    }

    /// A database of the caller's (tests): an existing cluster and database.
    public init(client: PostgresClient, cluster: EmbeddedCluster?) {
        self.client = client
        self.cluster = cluster
    }

    private static func tuned(_ location: DatabaseLocation) -> PostgresClient.Configuration {
        var configuration = location.configuration
        configuration.options.maximumConnections = 32
        configuration.options.minimumConnections = 4
        return configuration
    }

    /// The services to run, in start order: the cluster keeper (stopped last) and the pool.
    var services: [any Service] {
        var services: [any Service] = []
        if let cluster { services.append(EmbeddedClusterService(cluster: cluster)) }
        services.append(client)
        return services
    }
}

/// Keeps the embedded cluster for the life of the service group and stops it at shutdown; first in the
/// group, so it is shut down after everything that uses the database.
struct EmbeddedClusterService: Service {
    let cluster: EmbeddedCluster

    func run() async throws {
        try? await gracefulShutdown()
        try cluster.stop()
    }
}

extension HubDatabase {
    /// Applies pending migrations with a pool run just for that; returns the versions applied.
    public func migrate(logger: Logger) async throws -> [Int] {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await Migrator(client: client, logger: logger).migrate()
        }
    }

    /// Stops the embedded cluster, if this process started one.
    public func close() throws {
        try cluster?.stop()
    }
}
