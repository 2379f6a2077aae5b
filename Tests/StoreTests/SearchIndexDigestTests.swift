import FHIRCore
import Foundation
import PostgresNIO
import Store
import Testing

/// `resource.index_digest` always describes the index rows the resource has: an update whose rows are the same
/// skips the index tables, and any other state (no digest, a deleted resource, a reindex) leads to a full comparison.
@Suite("Search index digest")
struct SearchIndexDigestTests {
    typealias Rows = SearchIndexWriteTests

    /// The stored digest of `type/id` as hex, nil when NULL.
    static func digest(_ database: TestDatabase, _ type: String, _ id: String) async throws -> String? {
        let rows = try await database.client.query(
            "SELECT encode(index_digest, 'hex') FROM resource WHERE resource_type = \(type) AND id = \(id)",
            logger: TestDatabase.logger)
        for try await value in rows.decode(String?.self) { return value }
        return nil
    }

    @Test("an update with the same index rows writes the resource and its history and leaves the rows alone")
    func unchangedRowsAreKept() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let created = try await session.create(Rows.resource(Rows.patientJSON))
                let digest = try await Self.digest(database, "Patient", created.id)
                #expect(digest?.count == 64)
                let rows = try await Rows.physicalRows(database, id: created.id)

                let (updated, _) = try await session.update(Rows.resource(Rows.patientJSON), id: created.id)
                #expect(updated.versionId == 2)
                #expect(try await session.read("Patient", created.id, version: 2) != nil)
                #expect(try await Rows.physicalRows(database, id: created.id) == rows)
                #expect(try await Self.digest(database, "Patient", created.id) == digest)

                let renamed = try Rows.resource(Rows.patientJSON.replacingOccurrences(of: "Lefèvre", with: "Martin"))
                _ = try await session.update(renamed, id: created.id)
                #expect(try await Self.digest(database, "Patient", created.id) != digest)
                #expect(try await Rows.rows(database, "search_string", "value", id: created.id).contains("family|martin"))
            }
        }
    }

    @Test("an update whose rows change compares only the changed tables, and leaves the rows a full comparison would")
    func changedRowsWriteTheDifference() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let created = try await session.create(Rows.resource(Rows.patientJSON))
                let before = try await Rows.physicalRows(database, id: created.id)
                let changed = try Rows.resource(Rows.patientJSON
                    .replacingOccurrences(of: "Lefèvre", with: "Martin")
                    .replacingOccurrences(of: #"{"system":"http://mrn","value":"42"}"#,
                                          with: #"{"system":"http://mrn","value":"42"},{"system":"http://x","value":"7"},{"system":"http://x","value":"7"}"#))
                _ = try await session.update(changed, id: created.id)
                let after = try await Rows.physicalRows(database, id: created.id)
                let kept = Set(before.keys).intersection(after.keys)
                #expect(!kept.isEmpty && kept.allSatisfy { before[$0] == after[$0] }, "rows in both versions are not rewritten")
                #expect(after.keys.contains { $0.contains("family|martin") } && !after.keys.contains { $0.contains("family|lef") })
                #expect(after.keys.contains { $0.hasPrefix("search_token|identifier|http://x|7") })

                _ = try await database.client.query(
                    "UPDATE resource SET index_digest = NULL WHERE id = \(created.id)", logger: TestDatabase.logger)
                _ = try await session.update(changed, id: created.id)
                #expect(Set(try await Rows.physicalRows(database, id: created.id).keys) == Set(after.keys),
                        "a full comparison finds nothing to change")
            }
        }
    }

    @Test("a stored digest the current body no longer gives (another extractor wrote the rows) leads to a full comparison")
    func foreignDigestComparesInFull() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let created = try await session.create(Rows.resource(Rows.patientJSON))
                let expected = try await Rows.indexRowCount(database, id: created.id)
                _ = try await database.client.query(
                    "UPDATE resource SET index_digest = '\\x00' WHERE id = \(created.id)", logger: TestDatabase.logger)
                _ = try await database.client.query(
                    "DELETE FROM search_token WHERE id = \(created.id) AND param = 'identifier'", logger: TestDatabase.logger)
                let renamed = try Rows.resource(Rows.patientJSON.replacingOccurrences(of: "Lefèvre", with: "Martin"))
                _ = try await session.update(renamed, id: created.id)
                #expect(try await Rows.indexRowCount(database, id: created.id) == expected)
                #expect(try await Rows.rows(database, "search_token", "system, code", id: created.id).contains("identifier|http://mrn|42"))
            }
        }
    }

    @Test("without a digest (rows from before it existed) the rows are compared in full and repaired")
    func missingDigestComparesInFull() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let created = try await session.create(Rows.resource(Rows.patientJSON))
                let expected = try await Rows.indexRowCount(database, id: created.id)
                _ = try await database.client.query(
                    "UPDATE resource SET index_digest = NULL WHERE id = \(created.id)", logger: TestDatabase.logger)
                _ = try await database.client.query(
                    "DELETE FROM search_token WHERE id = \(created.id) AND param = 'identifier'", logger: TestDatabase.logger)
                #expect(try await Rows.indexRowCount(database, id: created.id) < expected)

                _ = try await session.update(Rows.resource(Rows.patientJSON), id: created.id)
                #expect(try await Rows.indexRowCount(database, id: created.id) == expected)
                #expect(try await Self.digest(database, "Patient", created.id) != nil)
            }
        }
    }

    @Test("delete clears the digest, an update after it writes the rows again, and reindex records it")
    func deleteAndReindex() async throws {
        try await TestDatabase.with { database in
            let created = try await database.store.withSession { try await $0.create(Rows.resource(Rows.patientJSON)) }
            let expected = try await Rows.indexRowCount(database, id: created.id)
            let digest = try await Self.digest(database, "Patient", created.id)
            _ = try await database.store.withSession { try await $0.delete("Patient", created.id) }
            #expect(try await Self.digest(database, "Patient", created.id) == nil)
            #expect(try await Rows.indexRowCount(database, id: created.id) == 0)

            try await database.store.withSession { _ = try await $0.update(Rows.resource(Rows.patientJSON), id: created.id) }
            #expect(try await Rows.indexRowCount(database, id: created.id) == expected)
            #expect(try await Self.digest(database, "Patient", created.id) == digest)

            _ = try await database.client.query(
                "UPDATE resource SET index_digest = NULL WHERE id = \(created.id)", logger: TestDatabase.logger)
            try await database.store.reindex()
            #expect(try await Self.digest(database, "Patient", created.id) == digest)
        }
    }

    @Test("keepingUnchanged: the same content keeps the current version; other content, or a deleted resource, makes a new one")
    func unchangedContentIsKept() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let created = try await session.create(Rows.resource(Rows.patientJSON))
                let (kept, _) = try await session.update(Rows.resource(Rows.patientJSON), id: created.id, keepingUnchanged: true)
                #expect(kept.versionId == 1 && abs(kept.lastUpdated.timeIntervalSince(created.lastUpdated)) < 0.001)
                #expect(try await session.read("Patient", created.id, version: 2) == nil)

                let (plain, _) = try await session.update(Rows.resource(Rows.patientJSON), id: created.id)
                #expect(plain.versionId == 2, "without the option every update is a version")
                let renamed = try Rows.resource(Rows.patientJSON.replacingOccurrences(of: "Zoé", with: "Zoe"))
                #expect(try await session.update(renamed, id: created.id, keepingUnchanged: true).stored.versionId == 3)

                try await session.delete("Patient", created.id)
                let (restored, _) = try await session.update(renamed, id: created.id, keepingUnchanged: true)
                #expect(restored.versionId == 5 && !restored.deleted)
            }
        }
    }
}
