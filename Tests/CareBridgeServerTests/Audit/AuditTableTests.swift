import Authorization
import CareBridgeServer
import FHIRCore
import FHIRProfiles
import Foundation
import Logging
import PostgresNIO
import Store
import Testing

/// AuditEvents in their own table (migration 9): one row each, no history or index rows, searched through
/// their terms with the same parameter syntax as other resources, read and listed as single-version resources.
@Suite("Audit table")
struct AuditTableTests {
    static let portal = AccessGrant(
        clientID: "portal", subject: "bob", fhirUser: "Practitioner/p9", roles: ["support"], scopes: ScopeSet(["user/*.rs"])
    )

    @Test("An event is one row of audit_event with its terms; nothing goes to the resource, history or index tables")
    func oneRow() async throws {
        try await Hub.run { hub in
            let trail = try AuditTrailTests.trail(hub)
            let before = try await hub.footprint()
            trail.record(AuditRecord(action: .read, grant: Self.portal, entities: [.resource(type: "Patient", id: "t1")], detail: "one"))
            await trail.flush()
            #expect(try await hub.footprint() == before)
            let rows = try await hub.database.query("""
                SELECT cardinality(terms) FROM audit_event
                WHERE (body::jsonb) #>> '{source,observer,identifier,value}' = \(AuditTrailTests.observer)
                """)
            var sizes: [Int] = []
            for try await size in rows.decode(Int.self) { sizes.append(size) }
            #expect(sizes.count == 1)
            #expect((sizes.first ?? 0) > 10)
        }
    }

    @Test("Read, vread of version 1 only, instance and type history, _total, _sort, :missing, :not, :exact, :contains")
    func forms() async throws {
        try await Hub.run { hub in
            let trail = try AuditTrailTests.trail(hub)
            trail.record(AuditRecord(action: .read, grant: Self.portal, remoteAddress: "10.7.0.1", entities: [.resource(type: "Patient", id: "t1")], detail: "read-t1"))
            trail.record(AuditRecord(action: .update, grant: Self.portal, entities: [.resource(type: "Patient", id: "t1", version: 3)], detail: "update-t1"))
            trail.record(AuditRecord(action: .authenticate, grant: nil, outcome: .failedAuthentication("expired"), detail: "login"))
            await trail.flush()
            let search = { (query: String) in try await AuditTrailTests.search(hub, query) }
            #expect(try await search("entity=Patient/t1&_sort=-date") == ["read-t1", "update-t1"])
            #expect(try await search("entity=t1") == ["read-t1", "update-t1"])
            #expect(try await search("entity:missing=true") == ["login"])
            #expect(try await search("date:missing=true").isEmpty)
            #expect(try await search("action=http://hl7.org/fhir/audit-event-action|&entity=Patient/t1") == ["read-t1", "update-t1"])
            #expect(try await search("action:not=http://hl7.org/fhir/audit-event-action|").isEmpty)
            #expect(try await search("action:not=R&entity=Patient/t1") == ["update-t1"])
            #expect(try await search("altid:missing=false&address=10.7") == ["read-t1"])
            #expect(try await search("agent-name:exact=bob") == [])
            #expect(try await search("agent-name:contains=nauthent") == ["login"])

            let listed = try await hub.get("/fhir/AuditEvent?entity=Patient/t1&_total=accurate&_count=1&_sort=date")
            #expect(listed.status == 200)
            #expect(try listed.json["total"] == .number("2"))
            let first = try #require(try listed.json.entries.first?["resource"])
            let id = try #require(first.string("id"))
            #expect(try await hub.get("/fhir/AuditEvent/\(id)").status == 200)
            #expect(try await hub.get("/fhir/AuditEvent/\(id)/_history/1").status == 200)
            #expect(try await hub.get("/fhir/AuditEvent/\(id)/_history/2").status == 404)
            let history = try await hub.get("/fhir/AuditEvent/\(id)/_history").json.entries
            #expect(history.count == 1)
            #expect(history.first?.string("request.method") == "POST")
        }
    }

    @Test("What the terms cannot answer is refused with 400, never a 500")
    func refused() async throws {
        try await Hub.run { hub in
            for query in [
                "AuditEvent?_include=AuditEvent:agent", "AuditEvent?_sort=action", "AuditEvent?entity:Patient.name=x",
                "AuditEvent?_has:Provenance:target:agent=x", "Patient?_revinclude=AuditEvent:entity", "AuditEvent?policy:below=http://a",
            ] {
                let reply = try await hub.get("/fhir/\(query)")
                #expect(reply.status == 400, "\(query): \(reply.status) \(reply.text)")
            }
        }
    }

    @Test("Events stored before the table existed get their terms from their bodies; a reindex rebuilds them all")
    func backfill() async throws {
        try await Hub.run { hub in
            let builder = AuditEventBuilder(observer: AuditTrailTests.observer)
            let event = builder.event(AuditRecord(action: .delete, grant: Self.portal, entities: [.resource(type: "Task", id: "k1")], detail: "old"))
            var stamped = event
            stamped.id = "moved-1"
            let body = String(decoding: stamped.bytes, as: UTF8.self)
            try await hub.database.query("""
                INSERT INTO audit_event (id, recorded, last_updated, body, terms) VALUES ('moved-1', now(), now(), \(body), NULL)
                """)
            let registry = try ProfileRegistry.load(from: TestPaths.profilesDirectory)
            let store = try ResourceStore(client: hub.database, registry: registry, logger: Logger(label: "carebridge.test"))
            // The hub's own trail indexes what it finds as it starts, so this call may find nothing left to do.
            #expect(try await store.indexAuditEvents() <= 1)
            #expect(try await hub.count("audit_event") == 1)
            let unindexed = try await hub.database.query("SELECT count(*)::int FROM audit_event WHERE terms IS NULL")
            for try await count in unindexed.decode(Int.self) { #expect(count == 0) }
            #expect(try await AuditTrailTests.search(hub, "entity=Task/k1&action=D") == ["old"])
            #expect(try await store.indexAuditEvents() == 0)

            try await hub.database.query("UPDATE audit_event SET terms = '{}'")
            #expect(try await AuditTrailTests.search(hub, "entity=Task/k1").isEmpty)
            #expect(try await store.reindexAuditEvents(batchSize: 1) >= 1)
            #expect(try await AuditTrailTests.search(hub, "entity=Task/k1&action=D") == ["old"])
        }
    }
}
