import FHIRProfiles
import Logging
import PostgresNIO

/// The hub's resource store: versioned FHIR resources, their history and search index, in PostgreSQL.
public struct ResourceStore: Sendable {
    /// The connection pool; its `run()` must be running (the server runs it as a service).
    public let client: PostgresClient
    private let indexer: any SearchIndexer
    private let logger: Logger
    /// Who turns changes into outbox events, in the transactions that make them.
    public let observer: (any ChangeObserver)?
    /// How long one search statement (search, count, `_include`, `$everything`) may run before
    /// PostgreSQL stops it and the search fails with `tooCostly`; nil for no limit.
    public var searchTimeout: Duration?

    /// A store over `client`, indexing writes with every search parameter of `registry`.
    /// `observer`, if given, sees every change before its transaction commits.
    public init(
        client: PostgresClient, registry: ProfileRegistry, logger: Logger, observer: (any ChangeObserver)? = nil
    ) throws(ProfilesError) {
        self.init(client: client, indexer: try SearchIndexExtractor(registry: registry), logger: logger, observer: observer)
    }

    /// A store over `client`, indexing writes with `indexer`.
    public init(client: PostgresClient, indexer: any SearchIndexer, logger: Logger, observer: (any ChangeObserver)? = nil) {
        self.client = client
        self.indexer = indexer
        self.logger = logger
        self.observer = observer
    }

    /// Runs `work` on one connection, each statement committing on its own. With `onConnectionThread`, `work`
    /// runs on the connection's event loop (see `withTransaction`).
    public func withSession<T: Sendable>(
        onConnectionThread: Bool = false, _ work: (StoreSession) async throws -> T
    ) async throws -> T {
        try await client.withConnection { connection in
            try await withTaskExecutorPreference(onConnectionThread ? ConnectionExecutor(connection.eventLoop) : nil) {
                try await work(session(on: connection))
            }
        }
    }

    /// Runs `work` in one database transaction: everything it wrote commits together, or nothing does.
    ///
    /// With `onConnectionThread`, `work` runs on the event loop of its connection, which saves two thread
    /// wake-ups per statement. It then holds up the other channels of that event loop while it computes, so
    /// it is for work of many short statements and little computing between them (one inbound message),
    /// not for large Bundles.
    public func withTransaction<T: Sendable>(
        onConnectionThread: Bool = false, _ work: (StoreSession) async throws -> T
    ) async throws -> T {
        try await client.withConnection { connection in
            try await withTaskExecutorPreference(onConnectionThread ? ConnectionExecutor(connection.eventLoop) : nil) {
                try await session(on: connection).transaction { session in try await work(session) }
            }
        }
    }

    private func session(on connection: PostgresConnection) -> StoreSession {
        StoreSession(
            connection: connection, indexer: indexer, logger: logger, observer: observer, journal: nil, searchTimeout: searchTimeout
        )
    }
}
