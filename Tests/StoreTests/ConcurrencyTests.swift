import FHIRCore
import NIOCore
import PostgresNIO
import Store
import Testing

@Suite("Concurrent writers")
struct ConcurrencyTests {
    static let writers = 16

    @Test("parallel updates of one resource give versions 1...N+1 with no gaps or duplicates")
    func parallelUpdates() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let id = try await store.withSession { try await $0.create(patient(family: "start")).id }
            let versions = try await withThrowingTaskGroup(of: Int.self) { group in
                for writer in 0..<Self.writers {
                    group.addTask {
                        try await store.withSession { session in
                            try await session.update(patient(family: "writer \(writer)"), id: id).stored.versionId
                        }
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(versions.sorted() == Array(2...(Self.writers + 1)))
            try await store.withSession { session in
                let current = try #require(try await session.read("Patient", id))
                #expect(current.versionId == Self.writers + 1)
                let history = try await session.history(HistoryQuery(resourceType: "Patient", id: id, count: 100))
                #expect(history.map(\.versionId) == Array((1...(Self.writers + 1)).reversed()))
                for version in history {
                    #expect(try version.resource().versionId == String(version.versionId))
                }
                // The body of the current version is the one written as that version.
                let lastHistory = try #require(history.first)
                #expect(try lastHistory.family() == (try current.family()))
            }
        }
    }

    @Test("parallel updates with If-Match 1: exactly one wins, the rest get a version conflict")
    func parallelIfMatch() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let id = try await store.withSession { try await $0.create(patient(family: "start")).id }
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for writer in 0..<Self.writers {
                    group.addTask {
                        do {
                            _ = try await store.withSession { session in
                                try await session.update(patient(family: "writer \(writer)"), id: id, ifMatch: 1)
                            }
                            return true
                        } catch let error as StoreError where error.code == .versionConflict {
                            return false
                        }
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(outcomes.count == Self.writers)
            let current = try await store.withSession { try await $0.read("Patient", id) }
            #expect(current?.versionId == 2)
        }
    }

    @Test("parallel update-as-create of one new id: one creates, the others update it")
    func parallelUpdateAsCreate() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let results = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for writer in 0..<Self.writers {
                    group.addTask {
                        try await store.withSession { session in
                            let result = try await session.update(patient(family: "writer \(writer)"), id: "shared-new")
                            return (result.stored.versionId, result.created)
                        }
                    }
                }
                return try await group.reduce(into: [(Int, Bool)]()) { $0.append($1) }
            }
            #expect(results.filter(\.1).count == 1)
            #expect(results.map(\.0).sorted() == Array(1...Self.writers))
        }
    }

    @Test("parallel conditional creates with the same criteria in transactions make exactly one resource")
    func parallelConditionalCreates() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let criteria = try criteria("identifier=http://hospital.example/mrn|12345")
            let results = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
                for writer in 0..<Self.writers {
                    group.addTask {
                        try await store.withTransaction { session in
                            let resource = patient(family: "writer \(writer)", identifiers: ["http://hospital.example/mrn|12345"])
                            let result = try await session.create(resource, ifNoneExist: criteria)
                            return (result.stored.id, result.created)
                        }
                    }
                }
                return try await group.reduce(into: [(String, Bool)]()) { $0.append($1) }
            }
            #expect(results.filter(\.1).count == 1)
            #expect(Set(results.map(\.0)).count == 1)
            let listed = try await store.withSession { try await $0.list("Patient", count: 100, offset: 0) }
            #expect(listed.count == 1)
            #expect(try await database.integers("SELECT count(*)::int FROM resource_history") == [1])
        }
    }

    @Test("parallel update-as-create of one new id inside transactions: one creates, none fail with a database error")
    func parallelUpdateAsCreateInTransactions() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let results = try await withThrowingTaskGroup(of: String.self) { group in
                for writer in 0..<Self.writers {
                    group.addTask {
                        do {
                            return try await store.withTransaction { session in
                                let result = try await session.update(patient(family: "writer \(writer)"), id: "tx-new")
                                return result.created ? "created" : "updated"
                            }
                        } catch let error as StoreError where error.code == .conflict {
                            return "conflict"
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(results.filter { $0 == "created" }.count == 1)
            let current = try await store.withSession { try await $0.read("Patient", "tx-new") }
            #expect(current?.versionId == results.filter { $0 != "conflict" }.count)
        }
    }
}
