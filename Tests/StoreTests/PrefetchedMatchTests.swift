import FHIRCore
import Store
import Testing

/// Criteria looked up ahead for a transaction (`StoreSession.prefetchMatches`, what an ingest batch does): each
/// answers as it did when looked up until a write of the transaction may change it; a criterion nothing matched
/// holds its lock for the transaction, as a single conditional interaction's does; outside a transaction
/// nothing is kept.
@Suite("Matches looked up ahead")
struct PrefetchedMatchTests {
    @Test("a looked-up criterion answers as it did then; a write that may change its matches makes it look again")
    func answersUntilWritten() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let first = try await store.withSession { try await $0.create(patient(identifiers: ["urn:mrn|1"])).id }
            let later = try await store.withTransaction { session -> String? in
                try await session.prefetchMatches([try criteria("identifier=urn:mrn|1"), try criteria("identifier=urn:mrn|2")])
                // Another writer adds a second match; the criterion still answers as when it was looked up.
                _ = try await store.withSession { try await $0.create(patient(identifiers: ["urn:mrn|1"])) }
                #expect(try await session.match(try criteria("identifier=urn:mrn|1")) == first)
                #expect(try await session.match(try criteria("identifier=urn:mrn|2")) == nil)

                // A write that cannot change what it matches leaves it; one that gives a resource its token makes it
                // look again, and it now finds all three.
                _ = try await session.create(patient(identifiers: ["urn:mrn|3"]))
                #expect(try await session.match(try criteria("identifier=urn:mrn|1")) == first)
                _ = try await session.create(patient(identifiers: ["urn:mrn|1"]))
                await #expect(throws: StoreError.self) { try await session.match(try criteria("identifier=urn:mrn|1")) }
                return try await session.update(patient(family: "Kept", identifiers: ["urn:mrn|1"]), matching: try criteria("identifier=urn:mrn|3")).stored.id
            }
            #expect(later != nil)
            let outside = try await store.withSession { session -> Int in
                try await session.prefetchMatches([try criteria("identifier=urn:mrn|1")])
                return try await session.matches(try criteria("identifier=urn:mrn|1"), limit: 10).count
            }
            #expect(outside == 4, "outside a transaction nothing is kept")
        }
    }

    @Test("a looked-up match's row serves its update, which changes the resource once")
    func rowServesUpdate() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let id = try await store.withSession { try await $0.create(patient(family: "Before", identifiers: ["urn:mrn|7"])).id }
            let updated = try await store.withTransaction { session in
                try await session.prefetchMatches([try criteria("identifier=urn:mrn|7"), try criteria("identifier=urn:mrn|7")])
                let first = try await session.update(patient(family: "After", identifiers: ["urn:mrn|7"]), matching: try criteria("identifier=urn:mrn|7"))
                let again = try await session.update(
                    patient(family: "After", identifiers: ["urn:mrn|7"]), matching: try criteria("identifier=urn:mrn|7"), keepingUnchanged: true)
                return (first.stored, again.stored)
            }
            #expect(updated.0.id == id && updated.0.versionId == 2)
            #expect(updated.1.id == id && updated.1.versionId == 2, "the second update finds the first one's version")
        }
    }

    @Test("a resource that loses a looked-up token no longer matches it; a deleted one neither")
    func writesOfTheMatch() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let (one, two) = try await store.withSession { session in
                (try await session.create(patient(identifiers: ["urn:mrn|A"])).id, try await session.create(patient(identifiers: ["urn:mrn|B"])).id)
            }
            try await store.withTransaction { session in
                try await session.prefetchMatches([try criteria("identifier=urn:mrn|A"), try criteria("identifier=urn:mrn|B")])
                _ = try await session.update(patient(identifiers: ["urn:mrn|C"]), id: one)
                #expect(try await session.match(try criteria("identifier=urn:mrn|A")) == nil)
                #expect(try await session.match(try criteria("identifier=urn:mrn|C")) == one)
                try await session.delete("Patient", two)
                #expect(try await session.match(try criteria("identifier=urn:mrn|B")) == nil)
            }
        }
    }

    @Test("a criterion nothing matched is locked until the transaction ends: the same conditional create elsewhere waits, then finds what it created")
    func noMatchHoldsItsLock() async throws {
        let token = try criteria("identifier=urn:mrn|new")
        try await Self.expectLookUpHoldsLock(
            lookingUp: token, thenCreating: "urn:mrn|new", elsewhere: token,
            "the look-up ahead holds the criteria's lock", "the create elsewhere finds the one made under the lock")
    }

    @Test("two spellings of one token take the same lock, so a conditional create in either spelling waits for the other")
    func spellingsShareTheLock() async throws {
        let (plain, escaped) = (try criteria("identifier=urn:mrn|a$b"), try criteria(#"identifier=urn:mrn|a\$b"#))
        #expect(plain.canonicalText != escaped.canonicalText)
        try await Self.expectLookUpHoldsLock(
            lookingUp: plain, thenCreating: "urn:mrn|a$b", elsewhere: escaped,
            "the look-up ahead holds the token's lock, whatever its spelling", "both spellings are one token")
    }

    /// Looks `held` up ahead in a transaction that matches nothing, and expects a conditional create with `other`
    /// elsewhere to time out on the lock meanwhile; the holder then creates a Patient with `identifier` under `held`,
    /// and a conditional create with `other` after its commit finds that one instead of creating.
    static func expectLookUpHoldsLock(
        lookingUp held: SearchQuery, thenCreating identifier: String, elsewhere other: SearchQuery,
        _ waiting: Comment, _ found: Comment
    ) async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let created = try await whileHolding(store) { session in
                try await session.prefetchMatches([held])
            } waiter: {
                try await expectLockTimeout(waiting) {
                    try await store.withTransaction { session in
                        try await session.limitLockWaits(to: .milliseconds(50))
                        _ = try await session.create(patient(identifiers: [identifier]), ifNoneExist: other)
                    }
                }
            } then: { session in
                try await session.create(patient(identifiers: [identifier]), ifNoneExist: held).stored.id
            }
            let again = try await store.withTransaction { session in
                try await session.create(patient(identifiers: [identifier]), ifNoneExist: other)
            }
            #expect(again.stored.id == created && !again.created, found)
        }
    }

    @Test("the look-up ahead waits for a criterion's lock held elsewhere no longer than the transaction's lock limit")
    func lookupWaitsWithinItsLimit() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let held = try criteria("identifier=urn:mrn|held")
            try await whileHolding(store) { holder in
                let matched = try await holder.match(held)
                #expect(matched == nil)
            } waiter: {
                try await expectLockTimeout("the criteria's lock is held until this is done") {
                    try await store.withTransaction { session in
                        try await session.prefetchMatches([held], limitingLockWaitsTo: .milliseconds(50))
                    }
                }
            } then: { _ in }
        }
    }

    @Test("a criterion nothing matched finds what the transaction itself creates with its token, by a plain or a conditional write")
    func noMatchForgottenByOwnWrite() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            try await store.withTransaction { session in
                try await session.prefetchMatches([try criteria("identifier=urn:mrn|P"), try criteria("identifier=urn:mrn|Q")])
                let plain = try await session.create(patient(identifiers: ["urn:mrn|P"]))
                #expect(try await session.match(try criteria("identifier=urn:mrn|P")) == plain.id)
                let conditional = try await session.update(patient(identifiers: ["urn:mrn|Q"]), matching: try criteria("identifier=urn:mrn|Q"))
                #expect(conditional.created)
                let again = try await session.create(patient(identifiers: ["urn:mrn|Q"]), ifNoneExist: try criteria("identifier=urn:mrn|Q"))
                #expect(again.stored.id == conditional.stored.id && !again.created)
            }
        }
    }
}
