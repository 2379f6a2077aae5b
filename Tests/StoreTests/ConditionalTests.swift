import FHIRCore
import NIOCore
import PostgresNIO
import Store
import Testing

@Suite("Conditional interactions and the token index")
struct ConditionalTests {
    @Test("token forms match as FHIR says: system|code, |code, code, system|")
    func tokenForms() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let a = try await session.create(patient(identifiers: ["http://a|1", "http://b|2"])).id
                let b = try await session.create(patient(identifiers: ["http://b|1"])).id
                let c = try await session.create(patient(identifiers: ["1"])).id  // no system
                let cases: [(String, Set<String>)] = [
                    ("identifier=http://a|1", [a]),
                    ("identifier=http://b|1", [b]),
                    ("identifier=|1", [c]),
                    ("identifier=1", [a, b, c]),
                    ("identifier=http://b|", [a, b]),
                    ("identifier=http://a|2", []),
                    ("identifier=http://a|1,http://b|1", [a, b]),
                    ("identifier=http://b|&identifier=2", [a]),
                    ("identifier=http%3A%2F%2Fa%7C1", [a]),
                    ("_id=\(b)", [b]),
                    ("_id=\(a),\(c)", [a, c]),
                    ("_id=\(a)&identifier=http://b|1", []),
                ]
                for (query, expected) in cases {
                    let found = try await session.matches(try criteria(query), limit: 10)
                    #expect(Set(found) == expected, "\(query)")
                    let listed = try await session.search(try criteria(query), count: 10)
                    #expect(Set(listed.map(\.id)) == expected, "\(query)")
                }
                #expect(try await session.matches(try criteria("identifier=1", "Observation")).isEmpty)
                #expect(try await session.matches(try criteria("identifier=1"), limit: 2).count == 2)
            }
        }
    }

    @Test("the token index follows updates and deletes")
    func indexFollowsChanges() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let id = try await session.create(patient(identifiers: ["urn:mrn|old"])).id
                #expect(try await session.matches(try criteria("identifier=urn:mrn|old")) == [id])

                _ = try await session.update(patient(identifiers: ["urn:mrn|new", "urn:ssn|9"]), id: id)
                #expect(try await session.matches(try criteria("identifier=urn:mrn|old")).isEmpty)
                #expect(try await session.matches(try criteria("identifier=urn:mrn|new")) == [id])
                #expect(try await session.matches(try criteria("identifier=urn:ssn|9")) == [id])
                #expect(try await database.integers("SELECT count(*)::int FROM search_token WHERE id = \(id) AND param = 'identifier'") == [2])

                let created = try await session.create(patient(identifiers: ["urn:mrn|old"]), ifNoneExist: try criteria("identifier=urn:mrn|old"))
                #expect(created.created, "the old identifier no longer matches, so conditional create creates")
                #expect(created.stored.id != id)

                _ = try await session.update(patient(), id: id)
                #expect(try await session.matches(try criteria("identifier=urn:mrn|new")).isEmpty)
                #expect(try await database.integers("SELECT count(*)::int FROM search_token WHERE id = \(id) AND param = 'identifier'") == [0])

                _ = try await session.update(patient(identifiers: ["urn:mrn|back"]), id: id)
                try await session.delete("Patient", id)
                #expect(try await session.matches(try criteria("identifier=urn:mrn|back")).isEmpty)
                #expect(try await database.integers("SELECT count(*)::int FROM search_token WHERE id = \(id)") == [0])
                #expect(try await session.matches(try criteria("_id=\(id)")).isEmpty, "deleted resources never match")
            }
        }
    }

    @Test("conditional create returns the one match, refuses several")
    func conditionalCreate() async throws {
        try await TestDatabase.with { database in
            try await database.store.withTransaction { session in
                let first = try await session.create(patient(identifiers: ["urn:x|1"]), ifNoneExist: try criteria("identifier=urn:x|1"))
                #expect(first.created)
                let again = try await session.create(patient(family: "ignored", identifiers: ["urn:x|1"]), ifNoneExist: try criteria("identifier=urn:x|1"))
                #expect(!again.created)
                #expect(again.stored.id == first.stored.id)
                #expect(again.stored.versionId == 1)
                #expect(try again.stored.family() == "Doe")
                _ = try await session.create(patient(identifiers: ["urn:x|1"]))
                await #expect { try await session.create(patient(), ifNoneExist: try criteria("identifier=urn:x|1")) } throws: {
                    ($0 as? StoreError)?.code == .multipleMatches
                }
            }
        }
    }

    @Test("conditional update updates the one match, creates when none, refuses several or a different id")
    func conditionalUpdate() async throws {
        try await TestDatabase.with { database in
            try await database.store.withTransaction { session in
                let made = try await session.update(patient(identifiers: ["urn:y|1"]), matching: try criteria("identifier=urn:y|1"))
                #expect(made.created)
                let withID = try await session.update(patient(id: "given", identifiers: ["urn:y|2"]), matching: try criteria("identifier=urn:y|2"))
                #expect(withID.created)
                #expect(withID.stored.id == "given")

                let updated = try await session.update(patient(family: "v2", identifiers: ["urn:y|1"]), matching: try criteria("identifier=urn:y|1"))
                #expect(!updated.created)
                #expect(updated.stored.id == made.stored.id)
                #expect(updated.stored.versionId == 2)
                await #expect { try await session.update(patient(), matching: try criteria("identifier=urn:y|1"), ifMatch: 1) } throws: {
                    ($0 as? StoreError)?.code == .versionConflict
                }
                await #expect { try await session.update(patient(id: "wrong"), matching: try criteria("identifier=urn:y|1")) } throws: {
                    ($0 as? StoreError)?.code == .invalidRequest
                }
                await #expect { try await session.update(patient(), matching: try criteria("identifier=urn:y|1,urn:y|2")) } throws: {
                    ($0 as? StoreError)?.code == .multipleMatches
                }
            }
        }
    }

    @Test("matching one token finds what the search finds: current resources only, each once, at most the limit")
    func soleTokenMatchAgreesWithSearch() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                _ = try await session.create(patient(identifiers: ["urn:t|1"]))
                _ = try await session.create(patient(identifiers: ["urn:t|2", "urn:t|2"]))
                _ = try await session.create(patient(identifiers: ["urn:t|3"]))
                _ = try await session.create(patient(identifiers: ["urn:t|3", "urn:u|3"]))
                _ = try await session.create(patient(identifiers: ["urn:t|3"]))
                try await session.delete("Patient", try await session.create(patient(identifiers: ["urn:t|4"])).id)
                for query in ["identifier=urn:t|1", "identifier=urn:t|2", "identifier=urn:t|3", "identifier=urn:t|4",
                              "identifier=urn:u|3", "identifier=urn:u|1", "identifier=urn:t|9"] {
                    let searched = try await session.search(criteria(query), count: 10).map(\.id)
                    let matched = try await session.matches(criteria(query), limit: 10)
                    #expect(Set(matched) == Set(searched), "\(query)")
                    #expect(matched.count == searched.count, "\(query)")
                    #expect(try await session.matches(criteria(query), limit: 2).count == min(searched.count, 2), "\(query)")
                }
            }
        }
    }

    @Test("conditional delete deletes the one match; none is not an error; several are")
    func conditionalDelete() async throws {
        try await TestDatabase.with { database in
            try await database.store.withTransaction { session in
                let id = try await session.create(patient(identifiers: ["urn:z|1"])).id
                _ = try await session.create(patient(identifiers: ["urn:z|2"]))
                _ = try await session.create(patient(identifiers: ["urn:z|2"]))
                let deleted = try #require(try await session.delete(matching: try criteria("identifier=urn:z|1")))
                #expect(deleted.id == id)
                #expect(deleted.deleted)
                #expect(try await session.delete(matching: try criteria("identifier=urn:z|1")) == nil)
                await #expect { try await session.delete(matching: try criteria("identifier=urn:z|2")) } throws: {
                    ($0 as? StoreError)?.code == .multipleMatches
                }
            }
        }
    }

    @Test("an update of a match whose row another transaction changed after the match reads it again and makes the next version")
    func matchedRowChangedByAnother() async throws {
        try await TestDatabase.with { database in
            let id = try await database.store.withSession { session in
                try await session.create(patient(family: "v1", identifiers: ["urn:p|1"])).id
            }
            try await database.store.withTransaction { session in
                #expect(try await session.match(try criteria("identifier=urn:p|1")) == id)
                try await database.store.withSession { other in
                    _ = try await other.update(patient(family: "v2", identifiers: ["urn:p|1"]), id: id)
                }
                let (updated, created) = try await session.update(patient(family: "v3", identifiers: ["urn:p|1"]), id: id)
                #expect(!created && updated.versionId == 3)
                #expect(try await session.read("Patient", id)?.family() == "v3")
            }
            let (second, current) = try await database.store.withSession { session in
                (try await session.read("Patient", id, version: 2)?.family(), try await session.read("Patient", id)?.versionId)
            }
            #expect(second == "v2" && current == 3)
        }
    }

    @Test("a matched row kept for the transaction is not used after the transaction deleted the resource")
    func matchedRowThenDelete() async throws {
        try await TestDatabase.with { database in
            try await database.store.withTransaction { session in
                let id = try await session.create(patient(identifiers: ["urn:q|1"])).id
                #expect(try await session.match(try criteria("identifier=urn:q|1")) == id)
                #expect(try await session.delete("Patient", id)?.deleted == true)
                #expect(try await session.readMatched("Patient", id)?.deleted == true, "the deletion, not the kept row")
            }
        }
    }
}
