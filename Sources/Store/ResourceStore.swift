import FHIRProfiles
import Logging
import PostgresNIO

/// The hub's resource store: versioned FHIR resources, their history and search index, in PostgreSQL.
public struct ResourceStore: Sendable {
    /// The connection pool; its `run()` must be running (the server runs it as a service).
    public let client: PostgresClient
    private let indexer: any SearchIndexer
    private let logger: Logger

    /// A store over `client`, indexing writes with every search parameter of `registry`.
    public init(client: PostgresClient, registry: ProfileRegistry, logger: Logger) throws(ProfilesError) {
        self.init(client: client, indexer: try SearchIndexExtractor(registry: registry), logger: logger)
    }

    /// A store over `client`, indexing writes with `indexer`.
    public init(client: PostgresClient, indexer: any SearchIndexer, logger: Logger) {
        self.client = client
        self.indexer = indexer
        self.logger = logger
    }

    /// Runs `work` on one connection, each statement committing on its own.
    public func withSession<T: Sendable>(_ work: (StoreSession) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await work(StoreSession(connection: connection, indexer: indexer, logger: logger))
        }
    }

    /// Runs `work` in one database transaction: everything it wrote commits together, or nothing does.
    public func withTransaction<T: Sendable>(_ work: (StoreSession) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            let session = StoreSession(connection: connection, indexer: indexer, logger: logger)
            _ = try await session.database { try await connection.query("BEGIN", logger: logger) }
            let result: T
            do {
                result = try await work(session)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
            _ = try await session.database { try await connection.query("COMMIT", logger: logger) }
            return result
        }
    }
}
