import Authorization
import CareBridgeServer
import FHIRCore
import FHIRProfiles
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Store
import Synchronization
import Testing

/// The audit trail over the real database: records become AuditEvent resources, searchable through the REST
/// API, written in batches outside the outbox, flushed at shutdown, bounded when the database falls behind.
@Suite("Audit trail")
struct AuditTrailTests {
    static let observer = "audit-test"

    /// A trail over the hub's database, with its own observer name so the tests find their own events among
    /// those the hub records for the test's requests.
    static func trail(
        _ hub: Hub, settings: AuditTrail.Settings = AuditTrail.Settings(), changes: (any ChangeObserver)? = nil
    ) throws -> AuditTrail {
        var logger = Logger(label: "carebridge.audit.test")
        logger.logLevel = .critical
        let registry = try ProfileRegistry.load(from: TestPaths.profilesDirectory)
        let store = try ResourceStore(client: hub.database, registry: registry, logger: logger, observer: changes)
        return AuditTrail(store: store, observer: observer, settings: settings, logger: logger)
    }

    /// How many AuditEvents this suite's trails stored.
    static func stored(_ hub: Hub) async throws -> Int {
        let rows = try await hub.database.query("""
            SELECT count(*)::int FROM audit_event WHERE (body::jsonb) #>> '{source,observer,identifier,value}' = \(observer)
            """)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// The labels (`detail`, the last part of `outcomeDesc`) of this suite's AuditEvents that `query` finds.
    static func search(_ hub: Hub, _ query: String) async throws -> Set<String> {
        let reply = try await hub.get("/fhir/AuditEvent?\(query)&_count=200")
        #expect(reply.status == 200, "\(query): \(reply.text)")
        let events = try reply.json.entries.compactMap { $0["resource"] }
        return Set(events.filter { $0.string("source.observer.identifier.value") == observer }.compactMap { event in
            event.string("outcomeDesc")?.components(separatedBy: "; ").last
        })
    }

    static let clinician = AccessGrant(
        clientID: "portal", subject: "alice", fhirUser: "Practitioner/p1", roles: ["medical-support"], scopes: ScopeSet(["user/*.rs"])
    )
    static let lab = AccessGrant(clientID: "lab-northwind", roles: ["lab-system"], scopes: ScopeSet(["system/Observation.cruds"]))

    @Test("Recorded interactions are AuditEvents searchable by entity, agent, user, role, date, action, subtype, outcome and address")
    func searchable() async throws {
        try await Hub.run { hub in
            let trail = try Self.trail(hub)
            let records = [
                AuditRecord(action: .read, grant: Self.clinician, remoteAddress: "10.1.2.3", entities: [.resource(type: "Patient", id: "p1")], detail: "read-p1"),
                AuditRecord(action: .vread, grant: Self.clinician, entities: [.resource(type: "Patient", id: "p1", version: 2)], detail: "vread-p1"),
                AuditRecord(action: .search, grant: Self.clinician, entities: [.query(type: "Observation", query: "patient=p1")], detail: "search-obs"),
                AuditRecord(action: .create, grant: Self.lab, remoteAddress: "10.9.9.9", entities: [.resource(type: "Observation", id: "o1", version: 1)], detail: "create-o1"),
                AuditRecord(action: .delete, grant: Self.lab, entities: [.resource(type: "Patient", id: "p2")], outcome: .denied("no scope"), detail: "delete-p2"),
                AuditRecord(action: .authenticate, grant: nil, remoteAddress: "10.1.2.3", outcome: .failedAuthentication("bad signature"), detail: "login"),
            ]
            for record in records { trail.record(record) }
            await trail.flush()
            #expect(try await Self.stored(hub) == records.count)

            #expect(try await Self.search(hub, "entity=Patient/p1") == ["read-p1", "vread-p1"])
            #expect(try await Self.search(hub, "entity-type=Observation") == ["search-obs", "create-o1"])
            #expect(try await Self.search(hub, "agent=Practitioner/p1") == ["read-p1", "vread-p1", "search-obs"])
            #expect(try await Self.search(hub, "agent:identifier=\(AuditSystem.client)|lab-northwind") == ["create-o1", "delete-p2"])
            #expect(try await Self.search(hub, "altid=alice") == ["read-p1", "vread-p1", "search-obs"])
            #expect(try await Self.search(hub, "agent-role=\(AuditSystem.role)|lab-system") == ["create-o1", "delete-p2"])
            #expect(try await Self.search(hub, "action=D") == ["delete-p2"])
            #expect(try await Self.search(hub, "subtype=http://hl7.org/fhir/restful-interaction|read") == ["read-p1"])
            #expect(try await Self.search(hub, "type=http://dicom.nema.org/resources/ontology/DCM|110114") == ["login"])
            #expect(try await Self.search(hub, "outcome=4") == ["delete-p2", "login"])
            #expect(try await Self.search(hub, "address=10.1.2.3") == ["read-p1", "login"])
            let yesterday = FHIRInstant.string(from: Date().addingTimeInterval(-86_400))
            #expect(try await Self.search(hub, "date=ge\(yesterday)").count == records.count)
            #expect(try await Self.search(hub, "date=lt2000-01-01").isEmpty)
            #expect(try await Self.search(hub, "action=R&entity=Patient/p1&date=ge\(yesterday)") == ["read-p1", "vread-p1"])
        }
    }

    @Test("450 records are written in batches of at most 200; the change observer is never told of them, the outbox stays empty")
    func batchesAreUnobserved() async throws {
        try await Hub.run { hub in
            let watcher = ChangeCounter()
            let trail = try Self.trail(hub, settings: AuditTrail.Settings(batchSize: 200), changes: watcher)
            for number in 0..<450 {
                trail.record(AuditRecord(action: .read, grant: Self.lab, entities: [.resource(type: "Observation", id: "o\(number)")]))
            }
            await trail.flush()
            #expect(try await Self.stored(hub) == 450)
            #expect(trail.pendingCount == 0)
            #expect(watcher.asked.load(ordering: .relaxed) == 0)
            #expect(try await hub.count("webhook_event") == 0)
        }
    }

    @Test("Graceful shutdown writes what is still queued")
    func flushOnShutdown() async throws {
        try await Hub.run { hub in
            let trail = try Self.trail(hub, settings: AuditTrail.Settings(interval: .seconds(3600)))
            var logger = Logger(label: "carebridge.audit.test")
            logger.logLevel = .critical
            let group = ServiceGroup(configuration: .init(services: [trail], gracefulShutdownSignals: [], logger: logger))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await Task.sleep(for: .milliseconds(100))
                for number in 0..<5 {
                    trail.record(AuditRecord(action: .read, grant: Self.lab, entities: [.resource(type: "Patient", id: "s\(number)")]))
                }
                #expect(trail.pendingCount == 5)
                #expect(try await Self.stored(hub) == 0)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(try await Self.stored(hub) == 5)
            #expect(trail.pendingCount == 0)
        }
    }

    @Test("The system history and $everything leave AuditEvents out; AuditEvent/_history lists them")
    func systemHistory() async throws {
        try await Hub.run { hub in
            let trail = try Self.trail(hub)
            let patient = try await hub.create(Sample.patient())
            trail.record(AuditRecord(action: .read, grant: Self.lab, entities: [.resource(type: "Patient", id: patient)]))
            await trail.flush()
            let system = try await hub.get("/fhir/_history").json.entries
            #expect(system.compactMap { $0.string("resource.resourceType") } == ["Patient"])
            let everything = try await hub.get("/fhir/Patient/\(patient)/$everything").json.entries
            #expect(everything.compactMap { $0.string("resource.resourceType") } == ["Patient"])
            let audit = try await hub.get("/fhir/AuditEvent/_history?_count=200").json.entries
            #expect(audit.contains { $0.string("resource.source.observer.identifier.value") == Self.observer })
        }
    }

    @Test("A full queue drops and counts records instead of making callers wait")
    func overflow() async throws {
        try await Hub.run { hub in
            let trail = try Self.trail(hub, settings: AuditTrail.Settings(capacity: 3))
            for number in 0..<5 {
                trail.record(AuditRecord(action: .read, grant: Self.lab, entities: [.resource(type: "Patient", id: "o\(number)")]))
            }
            #expect(trail.pendingCount == 3)
            #expect(trail.droppedCount == 2)
            await trail.flush()
            #expect(try await Self.stored(hub) == 3)
            trail.record(AuditRecord(action: .read, grant: Self.lab))
            #expect(trail.pendingCount == 1)
        }
    }
}

/// A change observer that watches every type and counts the changes it is told of.
final class ChangeCounter: ChangeObserver {
    let asked = Atomic<Int>(0)

    func observes(_ resourceType: String) -> Bool { true }

    func record(_ changes: [ResourceChange], in session: StoreSession) async throws {
        asked.add(changes.count, ordering: .relaxed)
    }

    func committed(_ changes: [ResourceChange]) {}
}
