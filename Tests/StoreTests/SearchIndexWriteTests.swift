import FHIRCore
import FHIRProfiles
import Foundation
import Synchronization
import PostgresNIO
import Store
import Testing

/// The search index rows follow the resource: written with create, changed where they differ by update, cleared by
/// delete, rebuilt by reindex.
@Suite("Search index writes")
struct SearchIndexWriteTests {
    static let patientJSON = #"""
        {"resourceType":"Patient","identifier":[{"system":"http://mrn","value":"42"}],"active":true,
         "name":[{"family":"Lefèvre","given":["Zoé"]}],"birthDate":"1970",
         "generalPractitioner":[{"reference":"Practitioner/dr1"}],"meta":{"profile":["http://p/x"]}}
        """#

    static let observationJSON = #"""
        {"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2345-7"}]},
         "subject":{"reference":"Patient/p1"},"effectivePeriod":{"start":"2026-01-02T08:00:00Z"},
         "valueQuantity":{"value":5.4,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"}}
        """#

    static func resource(_ text: String) throws -> FHIRResource { try FHIRResource(parsing: Array(text.utf8)) }

    /// The rows of `table` for `id`, each as its columns' text joined by `|`, sorted.
    static func rows(_ database: TestDatabase, _ table: String, _ columns: String, id: String) async throws -> [String] {
        let query = PostgresQuery(unsafeSQL: """
            SELECT concat_ws('|', param, \(columns)) FROM \(table) WHERE id = $1 ORDER BY 1
            """, binds: { var binds = PostgresBindings(); binds.append(id); return binds }())
        var rows: [String] = []
        for try await row in try await database.client.query(query, logger: TestDatabase.logger).decode(String.self) {
            rows.append(row)
        }
        return rows
    }

    /// How many index rows of all seven tables belong to `id`.
    static func indexRowCount(_ database: TestDatabase, id: String) async throws -> Int {
        var total = 0
        for table in ["search_string", "search_token", "search_date", "search_reference", "search_quantity",
                      "search_number", "search_uri"] {
            total += try await database.integers(PostgresQuery(
                unsafeSQL: "SELECT count(*)::int FROM \(table) WHERE id = $1",
                binds: { var binds = PostgresBindings(); binds.append(id); return binds }()
            )).first ?? 0
        }
        return total
    }

    @Test("create writes rows of every kind in the resource's statement")
    func create() async throws {
        try await TestDatabase.with { database in
            let patient = try await database.store.withSession { try await $0.create(Self.resource(Self.patientJSON)) }
            let id = patient.id
            #expect(try await Self.rows(database, "search_string", "value, exact", id: id).contains("family|lefevre|Lefèvre"))
            #expect(try await Self.rows(database, "search_string", "value", id: id).contains("given|zoe"))
            #expect(try await Self.rows(database, "search_token", "system, code", id: id)
                .contains("identifier|http://mrn|42"))
            #expect(try await Self.rows(database, "search_date", "low AT TIME ZONE 'UTC', high AT TIME ZONE 'UTC'", id: id)
                == ["birthdate|1970-01-01 00:00:00|1971-01-01 00:00:00"])
            #expect(try await Self.rows(database, "search_reference", "target_type, target_id", id: id)
                == ["general-practitioner|Practitioner|dr1"])
            #expect(try await Self.rows(database, "search_uri", "value", id: id) == ["_profile|http://p/x"])

            let observation = try await database.store.withSession { try await $0.create(Self.resource(Self.observationJSON)) }
            #expect(try await Self.rows(database, "search_quantity", "value, low, high, system, code", id: observation.id)
                .contains("value-quantity|5.4|5.35|5.45|http://unitsofmeasure.org|mg"))
            #expect(try await Self.rows(database, "search_date", "low AT TIME ZONE 'UTC', high", id: observation.id)
                == ["date|2026-01-02 08:00:00|infinity"])
        }
    }

    @Test("update replaces the rows; delete clears them")
    func updateAndDelete() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let created = try await session.create(Self.resource(Self.patientJSON))
                let before = try await Self.indexRowCount(database, id: created.id)
                #expect(before > 5)
                _ = try await session.update(patient(id: created.id, family: "Martin"), id: created.id)
                #expect(try await Self.rows(database, "search_string", "value", id: created.id)
                    .filter { $0.hasPrefix("family|") } == ["family|martin"])
                #expect(try await Self.rows(database, "search_date", "low", id: created.id).isEmpty)
                try await session.delete("Patient", created.id)
                #expect(try await Self.indexRowCount(database, id: created.id) == 0)
            }
        }
    }

    /// Each index row of `id`, as `table|param|columns`, with its physical row id (`ctid`), which a rewrite changes.
    static func physicalRows(_ database: TestDatabase, id: String) async throws -> [String: String] {
        let tables = [
            ("search_string", "value, exact"), ("search_token", "system, code, text"), ("search_date", "low, high"),
            ("search_reference", "target_type, target_id, url"), ("search_quantity", "value, low, high, system, code"),
            ("search_number", "value, low, high"), ("search_uri", "value"),
        ]
        var rows: [String: String] = [:]
        for (table, columns) in tables {
            let query = PostgresQuery(unsafeSQL: """
                SELECT concat_ws('|', '\(table)', param, \(columns)), ctid::text FROM \(table) WHERE id = $1
                """, binds: { var binds = PostgresBindings(); binds.append(id); return binds }())
            for try await (row, ctid) in try await database.client.query(query, logger: TestDatabase.logger).decode((String, String).self) {
                rows[row] = ctid
            }
        }
        return rows
    }

    @Test("an update rewrites only the index rows that changed, and none when nothing did")
    func updateTouchesOnlyChangedRows() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let created = try await session.create(Self.resource(Self.observationJSON))
                let before = try await Self.physicalRows(database, id: created.id)
                let changed = try Self.resource(Self.observationJSON.replacingOccurrences(of: "5.4", with: "6.1"))
                _ = try await session.update(changed, id: created.id)
                let after = try await Self.physicalRows(database, id: created.id)

                let old = before.keys.filter { $0.contains("|5.4|") }
                #expect(!old.isEmpty)
                #expect(old.allSatisfy { after[$0] == nil })
                #expect(after.keys.contains { $0.hasPrefix("search_quantity|value-quantity|6.1|6.05|6.15|") })
                let kept = before.filter { !old.contains($0.key) }
                #expect(kept.keys.contains { $0.hasPrefix("search_token|code|http://loinc.org|2345-7") })
                #expect(kept.keys.contains { $0.hasPrefix("search_reference|subject|Patient|p1") })
                for (row, ctid) in kept { #expect(after[row] == ctid, "\(row) was rewritten") }
                #expect(after.count == before.count)

                _ = try await session.update(changed, id: created.id)
                #expect(try await Self.physicalRows(database, id: created.id) == after)
            }
        }
    }

    @Test("reindex rebuilds every row from the stored bodies, in batches")
    func reindex() async throws {
        try await TestDatabase.with { database in
            var ids: [String] = []
            var expected = 0
            for _ in 0..<5 {
                let created = try await database.store.withSession { try await $0.create(Self.resource(Self.patientJSON)) }
                ids.append(created.id)
                expected += try await Self.indexRowCount(database, id: created.id)
            }
            let deleted = try await database.store.withSession { try await $0.create(Self.resource(Self.observationJSON)) }
            _ = try await database.store.withSession { try await $0.delete("Observation", deleted.id) }
            for table in ["search_string", "search_token", "search_date", "search_reference", "search_uri"] {
                _ = try await database.client.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table)"), logger: TestDatabase.logger)
            }
            _ = try await database.client.query("INSERT INTO search_token VALUES ('Patient', \(ids[0]), 'stale', '', 'x')", logger: TestDatabase.logger)
            let progress = ProgressLog()
            let done = try await database.store.reindex(batchSize: 2) { progress.record($0) }
            #expect(done == 5)
            #expect(progress.values == [2, 4, 5])
            var rebuilt = 0
            for id in ids { rebuilt += try await Self.indexRowCount(database, id: id) }
            #expect(rebuilt == expected)
            #expect(try await Self.indexRowCount(database, id: deleted.id) == 0)
        }
    }

    @Test("every served official example is stored with its index rows")
    func officialExamples() async throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/fhir-r4/examples")
        guard FileManager.default.fileExists(atPath: directory.path) else {
            print("note: ../shared/fhir-r4/examples is absent; skipping the official examples")
            return
        }
        let indexer = try TestDatabase.indexer.get()
        var resources: [FHIRResource] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() where file.hasSuffix(".json") {
            guard let resource = try? FHIRResource(parsing: Data(contentsOf: directory.appendingPathComponent(file))),
                  !indexer.indexedParameters(for: resource.resourceType).isEmpty
            else { continue }
            resources.append(resource)
        }
        try await TestDatabase.with { database in
            let expected = resources.reduce(0) { total, resource in
                let entries = indexer.entries(for: resource)
                return total + entries.strings.count + entries.tokens.count + entries.dates.count
                    + entries.references.count + entries.quantities.count + entries.numbers.count + entries.uris.count
            }
            try await database.store.withSession { session in
                for resource in resources { _ = try await session.create(resource) }
            }
            var stored = 0
            for table in ["search_string", "search_token", "search_date", "search_reference", "search_quantity",
                          "search_number", "search_uri"] {
                stored += try await database.integers(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)")).first ?? 0
            }
            #expect(stored == expected)
            #expect(try await database.store.reindex() == resources.count)
        }
    }
}

/// The totals a reindex reported, in order.
final class ProgressLog: Sendable {
    private let storage = Mutex<[Int]>([])
    func record(_ value: Int) { storage.withLock { $0.append(value) } }
    var values: [Int] { storage.withLock { $0 } }
}
