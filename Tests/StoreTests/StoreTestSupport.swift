import EmbeddedPostgres
import FHIRCore
import FHIRProfiles
import Foundation
import Logging
import NIOCore
import PostgresNIO
import Store
import Testing

/// A migrated database of its own in the shared test cluster, with a running pool over it.
struct TestDatabase {
    let client: PostgresClient
    let store: ResourceStore
    let name: String

    /// The registry over `profiles/`, loaded once for all tests.
    static let registry = Result { try ProfileRegistry.loadDefault() }
    /// The registry-driven indexer over `profiles/`, built once for all tests.
    static let indexer = Result { try SearchIndexExtractor(registry: registry.get()) }

    static let logger: Logger = {
        var logger = Logger(label: "carebridge.store-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// Creates a fresh database, runs the pool for the duration of `work`, migrated unless told otherwise.
    static func with<T: Sendable>(
        migrated: Bool = true, _ work: (TestDatabase) async throws -> T
    ) async throws -> T {
        let (cluster, name) = try ThrowawayCluster.makeDatabase(prefix: "store")
        let location = DatabaseLocation(socketPath: cluster.socketPath, user: EmbeddedCluster.superuser, database: name)
        var configuration = location.configuration
        configuration.options.maximumConnections = 40
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            if migrated { try await Migrator(client: client, logger: logger).migrate() }
            let database = TestDatabase(client: client, store: ResourceStore(client: client, indexer: try indexer.get(), logger: logger), name: name)
            return try await work(database)
        }
    }

    /// The integers a one-column query returns.
    func integers(_ query: PostgresQuery) async throws -> [Int] {
        var values: [Int] = []
        for try await value in try await client.query(query, logger: Self.logger).decode(Int.self) { values.append(value) }
        return values
    }
}

/// A Patient with these identifiers (`system|value`, or just `value`) and a family name.
func patient(id: String? = nil, family: String = "Doe", identifiers: [String] = []) -> FHIRResource {
    var members: [(String, JSONValue)] = []
    if let id { members.append(("id", .string(id))) }
    if !identifiers.isEmpty {
        members.append(("identifier", .array(identifiers.map { token in
            let parts = token.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            var identifier = JSONObject()
            if parts.count == 2 { identifier["system"] = .string(parts[0]) }
            identifier["value"] = .string(parts.last ?? token)
            return .object(identifier)
        })))
    }
    members.append(("name", .array([.object(JSONObject([("family", .string(family))]))])))
    return FHIRResource(resourceType: "Patient", members)
}

extension StoredResource {
    /// The stored body as a resource.
    func resource() throws -> FHIRResource {
        try FHIRResource(parsing: Array(buffer: body))
    }

    /// The family name of a Patient body made by `patient(...)`.
    func family() throws -> String? {
        try resource().json["name"]?.arrayValue?.first?["family"]?.stringValue
    }
}

/// Conditional criteria (`identifier=a|1`) on `type`, parsed with the registry as the server does.
func criteria(_ query: String, _ type: String = "Patient") throws -> SearchQuery {
    try SearchQuery(conditional: query, type: type, registry: TestDatabase.registry.get())
}

extension StoreSession {
    /// Current `type` resources, one page of them in the search engine's default order.
    func list(_ type: String, count: Int, offset: Int = 0) async throws -> [StoredResource] {
        var query = SearchQuery(resourceType: type)
        query.offset = offset
        return try await search(query, count: count)
    }
}

/// Runs `hold` in a transaction, then `waiter` while that transaction is still open, then `then` in it, and
/// commits. The transaction stays open for at most 30 s, so that a waiter its lock limit does not stop ends
/// too (and fails its expectation) rather than hanging the test.
func whileHolding<T: Sendable>(
    _ store: ResourceStore, _ hold: @escaping @Sendable (StoreSession) async throws -> Void,
    waiter: () async throws -> Void, then: @escaping @Sendable (StoreSession) async throws -> T
) async throws -> T {
    let (held, holding) = AsyncStream<Void>.makeStream()
    let (done, waiterDone) = AsyncStream<Void>.makeStream()
    return try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask {
            try await store.withTransaction { session in
                try await hold(session)
                holding.yield()
                await withTaskGroup(of: Void.self) { wait in
                    wait.addTask { for await _ in done { break } }
                    wait.addTask { try? await Task.sleep(for: .seconds(30)) }
                    await wait.next()
                    wait.cancelAll()
                }
                return try await then(session)
            }
        }
        for await _ in held { break }
        try await waiter()
        waiterDone.yield()
        return try #require(try await group.next())
    }
}

/// Expects `work` to fail because a lock was waited for longer than the transaction's limit (SQLSTATE 55P03).
func expectLockTimeout(_ comment: Comment, _ work: () async throws -> Void) async throws {
    await #expect(comment) { try await work() } throws: { error in
        (error as? StoreError)?.message.contains("55P03") == true
    }
}
