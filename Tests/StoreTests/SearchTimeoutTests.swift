import PostgresNIO
import Store
import Testing

/// The search timeout: PostgreSQL stops a search statement that runs past it, the search fails with
/// `tooCostly`, and the connection goes back to the pool with its own setting.
///
/// A search is made slow deterministically: another connection holds an exclusive lock on `resource` in an
/// open transaction, so the search waits on it, and the statement timeout counts that wait.
@Suite("Search timeout")
struct SearchTimeoutTests {
    @Test("a search that runs past the timeout fails with tooCostly, and the next statement is not limited")
    func slowSearchIsStopped() async throws {
        try await TestDatabase.with { database in
            var store = database.store
            store.searchTimeout = .milliseconds(200)
            let created = try await store.withSession { session in try await session.create(patient(family: "Slow")) }
            let query = try criteria("family=Slow")

            try await withResourceLocked(database) {
                for attempt in [SearchAttempt.search, .count, .include, .everything] {
                    let error = await #expect(throws: StoreError.self, "\(attempt)") {
                        try await store.withSession { session in try await attempt.run(query, created, session) }
                    }
                    #expect(error?.code == .tooCostly, "\(attempt): \(String(describing: error))")
                }
            }
            let found = try await store.withSession { session in try await session.search(query, count: 10).map(\.id) }
            #expect(found == [created.id])
            for try await timeout in try await database.client.query("SHOW statement_timeout").decode(String.self) {
                #expect(timeout == "0")
            }
        }
    }

    @Test("inside a transaction the timeout applies and the rollback undoes it")
    func timeoutInsideTransaction() async throws {
        try await TestDatabase.with { database in
            var store = database.store
            store.searchTimeout = .milliseconds(200)
            let query = try criteria("family=Slow")
            try await withResourceLocked(database) {
                await #expect(throws: StoreError.self) {
                    try await store.withTransaction { session in try await session.search(query, count: 10) }
                }
            }
            let found = try await store.withTransaction { session in try await session.search(query, count: 10) }
            #expect(found.isEmpty)
        }
    }

    @Test("without a timeout the search waits as long as it must")
    func noTimeoutWaits() async throws {
        try await TestDatabase.with { database in
            let query = try criteria("family=Slow")
            let store = database.store
            var search: Task<Int, any Error>?
            try await withResourceLocked(database) {
                search = Task { try await store.withSession { session in try await session.search(query, count: 10).count } }
                try await Task.sleep(for: .milliseconds(400))
            }
            #expect(try await search?.value == 0)
        }
    }

    /// Runs `work` while another connection holds `resource` locked.
    private func withResourceLocked(_ database: TestDatabase, _ work: () async throws -> Void) async throws {
        try await database.client.withConnection { connection in
            try await connection.query("BEGIN", logger: TestDatabase.logger)
            try await connection.query("LOCK TABLE resource IN ACCESS EXCLUSIVE MODE", logger: TestDatabase.logger)
            do {
                try await work()
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: TestDatabase.logger)
                throw error
            }
            try await connection.query("ROLLBACK", logger: TestDatabase.logger)
        }
    }
}

/// The store's bounded statements, one at a time.
private enum SearchAttempt {
    case search, count, include, everything

    func run(_ query: SearchQuery, _ patient: StoredResource, _ session: StoreSession) async throws {
        switch self {
        case .search: _ = try await session.search(query, count: 10)
        case .count: _ = try await session.count(query)
        case .include:
            let including = try SearchQuery(
                type: "Patient", parameters: [(name: "_include", value: "Patient:general-practitioner")],
                registry: try TestDatabase.registry.get()
            )
            _ = try await session.included(including.includes, for: [patient])
        case .everything:
            let everything = EverythingQuery(patientID: patient.id, compartment: ["Observation": ["subject"]])
            _ = try await session.everything(everything, count: 10)
        }
    }
}
