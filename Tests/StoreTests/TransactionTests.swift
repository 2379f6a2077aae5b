import FHIRCore
import NIOCore
import PostgresNIO
import Store
import Testing

private struct Abort: Error {}

@Suite("Transactions")
struct TransactionTests {
    @Test("a failing transaction leaves no resource, history or index row behind")
    func rollback() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let existing = try await store.withSession { try await $0.create(patient(family: "before")) }
            let tokensBefore = try await database.integers("SELECT count(*)::int FROM search_token")
            var createdID: String?
            await #expect(throws: Abort.self) {
                try await store.withTransaction { session in
                    createdID = try await session.create(patient(identifiers: ["urn:sys|rolled-back"])).id
                    _ = try await session.update(patient(family: "inside"), id: existing.id)
                    _ = try await session.update(patient(family: "put"), id: "put-created")
                    try await session.delete("Patient", existing.id)
                    throw Abort()
                }
            }
            try await store.withSession { session in
                let id = try #require(createdID)
                #expect(try await session.read("Patient", id) == nil)
                #expect(try await session.read("Patient", "put-created") == nil)
                let current = try #require(try await session.read("Patient", existing.id))
                #expect(current.versionId == 1)
                #expect(!current.deleted)
                #expect(try current.family() == "before")
                let criteria = try criteria("identifier=urn:sys|rolled-back")
                #expect(try await session.matches(criteria).isEmpty)
            }
            #expect(try await database.integers("SELECT count(*)::int FROM resource_history") == [1])
            #expect(try await database.integers("SELECT count(*)::int FROM search_token") == tokensBefore)
        }
    }

    @Test("a transaction that succeeds commits everything together and returns its value")
    func commit() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let ids = try await store.withTransaction { session in
                let first = try await session.create(patient(family: "a"))
                let second = try await session.create(patient(family: "b"))
                // Reads inside the transaction see its own writes.
                #expect(try await session.read("Patient", first.id) != nil)
                return [first.id, second.id]
            }
            let listed = try await store.withSession { try await $0.list("Patient", count: 10, offset: 0) }
            #expect(Set(listed.map(\.id)) == Set(ids))
        }
    }

    @Test("a store error inside a transaction rolls it back and reaches the caller unchanged")
    func storeErrorRollsBack() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let existing = try await store.withSession { try await $0.create(patient(family: "v1")) }
            await #expect { 
                try await store.withTransaction { session in
                    _ = try await session.create(patient(family: "lost"))
                    _ = try await session.update(patient(family: "stale"), id: existing.id, ifMatch: 7)
                }
            } throws: { ($0 as? StoreError)?.code == .versionConflict }
            let listed = try await store.withSession { try await $0.list("Patient", count: 10, offset: 0) }
            #expect(listed.map(\.id) == [existing.id])
        }
    }

    @Test("a taken id inside a transaction is a conflict the transaction survives")
    func takenIDKeepsTransactionUsable() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let ids = try await store.withTransaction { session in
                _ = try await session.create(patient(family: "first"), assignedID: "taken")
                await #expect { try await session.create(patient(family: "second"), assignedID: "taken") } throws: {
                    ($0 as? StoreError)?.code == .conflict
                }
                let after = try await session.create(patient(family: "after"))
                return ["taken", after.id]
            }
            let listed = try await store.withSession { try await $0.list("Patient", count: 10, offset: 0) }
            #expect(Set(listed.map(\.id)) == Set(ids))
            let taken = try await store.withSession { try await $0.read("Patient", "taken") }
            #expect(try taken?.family() == "first")
        }
    }

    /// How a transaction limits its lock waits: by the statement of its own, or by the look-up ahead (which makes
    /// the setting even when its criteria match nothing).
    enum LockLimit: CaseIterable {
        case statement, lookupMatching, lookupMatchingNothing

        func apply(_ limit: Duration, in session: StoreSession) async throws {
            switch self {
            case .statement: try await session.limitLockWaits(to: limit)
            case .lookupMatching: try await session.prefetchMatches([try criteria("identifier=urn:mrn|L")], limitingLockWaitsTo: limit)
            case .lookupMatchingNothing:
                try await session.prefetchMatches([try criteria("identifier=urn:mrn|none")], limitingLockWaitsTo: limit)
            }
        }
    }

    @Test("with a limit on lock waits, a later statement that waits longer for a lock fails instead of waiting on",
          arguments: LockLimit.allCases)
    func lockWait(_ limitBy: LockLimit) async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let id = try await store.withSession { try await $0.create(patient(identifiers: ["urn:mrn|L"])).id }
            try await whileHolding(store) { holder in
                _ = try await holder.update(patient(family: "Holder", identifiers: ["urn:mrn|L"]), id: id)
            } waiter: {
                try await expectLockTimeout("the row is locked until this is done; the limit is 50 ms") {
                    try await store.withTransaction { session in
                        try await limitBy.apply(.milliseconds(50), in: session)
                        _ = try await session.update(patient(family: "Waiter", identifiers: ["urn:mrn|L"]), id: id)
                    }
                }
            } then: { _ in }
            let family = try await store.withSession { try await $0.read("Patient", id)?.body }
            #expect(family.map { String(buffer: $0) }?.contains("Holder") == true)
        }
    }
}
