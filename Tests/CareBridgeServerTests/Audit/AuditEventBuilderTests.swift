import Authorization
import CareBridgeServer
import FHIRCore
import FHIRProfiles
import Foundation
import Testing

/// Audit records as R4 AuditEvents: codes, who, what, and validity against the hub's own profiles.
@Suite("AuditEvent building")
struct AuditEventBuilderTests {
    static let registry = Result { try ProfileRegistry.load(from: TestPaths.profilesDirectory) }
    static let builder = AuditEventBuilder(observer: "node-1")
    static let clinician = AccessGrant(
        clientID: "portal", subject: "alice", fhirUser: "Practitioner/p1", roles: ["medical-support"],
        scopes: ScopeSet(["user/Observation.rs"])
    )

    /// One record of every kind the hub writes.
    static let records: [AuditRecord] = [
        AuditRecord(action: .read, grant: clinician, remoteAddress: "10.1.2.3", entities: [.resource(type: "Patient", id: "p1")]),
        AuditRecord(action: .vread, grant: clinician, entities: [.resource(type: "Patient", id: "p1", version: 2)]),
        AuditRecord(action: .search, grant: clinician, entities: [.query(type: "Observation", query: "patient=p1&code=1234-5")]),
        AuditRecord(action: .search, grant: clinician, entities: [.query(type: nil, query: "_lastUpdated=gt2026")]),
        AuditRecord(action: .history, grant: clinician, entities: [.resource(type: "Patient", id: "p1")]),
        AuditRecord(action: .history, grant: clinician, entities: [.query(type: "Patient", query: "")]),
        AuditRecord(action: .create, grant: clinician, entities: [.resource(type: "Observation", id: "o1", version: 1)]),
        AuditRecord(action: .update, grant: clinician, entities: [.resource(type: "Observation", id: "o1", version: 2)]),
        AuditRecord(action: .patch, grant: clinician, entities: [.resource(type: "Observation", id: "o1", version: 3)]),
        AuditRecord(action: .delete, grant: clinician, entities: [.resource(type: "Observation", id: "o1")], outcome: .denied("no scope")),
        AuditRecord(action: .transaction, grant: clinician, outcome: .error("entry 2 failed")),
        AuditRecord(action: .operation("everything"), grant: clinician, entities: [.resource(type: "Patient", id: "p1")]),
        AuditRecord(
            action: .ingest, grant: .hub, remoteAddress: "::1",
            entities: [.inboundMessage(logID: 7, sender: "LAB^NORTHWIND", controlID: "MSG1", messageType: "ORU^R01")],
            detail: "mllp: processed"
        ),
        AuditRecord(
            action: .webhookDelivery, grant: .hub,
            entities: [.notification(subscriptionID: "s1", eventNumber: 4, kind: "event-notification")],
            outcome: .error("HTTP 503"), destination: "ehr.example.org"
        ),
        AuditRecord(action: .authenticate, grant: nil, remoteAddress: "192.0.2.9", outcome: .failedAuthentication("token expired")),
    ]

    @Test("Every kind of record is a valid AuditEvent by the hub's own profiles", arguments: records.indices)
    func valid(_ index: Int) throws {
        let registry = try Self.registry.get()
        let event = Self.builder.event(Self.records[index])
        #expect(event.resourceType == "AuditEvent")
        let issues = registry.validate(event)
        #expect(issues.isEmpty, "\(issues.map(\.diagnostics)) in \(String(decoding: event.bytes, as: UTF8.self))")
    }

    @Test("AuditEvent is a served type with the search parameters the trail is searched by")
    func served() throws {
        let registry = try Self.registry.get()
        #expect(registry.isServed("AuditEvent"))
        let codes = Set(registry.searchParameters(for: "AuditEvent").map(\.code))
        #expect(codes.isSuperset(of: ["entity", "agent", "altid", "date", "action", "subtype", "type", "outcome", "address", "entity-type"]))
    }

    @Test("A REST read: type rest, subtype read, action R, outcome 0, the requestor with client, user, role and address")
    func read() throws {
        let event = JSONValue.object(Self.builder.event(Self.records[0]).json)
        #expect(event.string("type.system") == "http://terminology.hl7.org/CodeSystem/audit-event-type")
        #expect(event.string("type.code") == "rest")
        #expect(event.string("subtype.0.code") == "read")
        #expect(event.string("action") == "R")
        #expect(event.string("outcome") == "0")
        #expect(event.string("agent.0.who.reference") == "Practitioner/p1")
        #expect(event.string("agent.0.who.identifier.system") == AuditSystem.client)
        #expect(event.string("agent.0.who.identifier.value") == "portal")
        #expect(event.string("agent.0.altId") == "alice")
        #expect(event.string("agent.0.role.0.coding.0.code") == "medical-support")
        #expect(event[path: "agent.0.requestor"]?.boolValue == true)
        #expect(event.string("agent.0.network.address") == "10.1.2.3")
        #expect(event.string("agent.0.network.type") == "2")
        #expect(event.string("source.observer.identifier.value") == "node-1")
        #expect(event.string("entity.0.what.reference") == "Patient/p1")
        #expect(event.string("recorded")?.hasSuffix("Z") == true)
    }

    @Test("Interactions map to their restful-interaction subtype and C/R/U/D/E action")
    func codes() {
        let expected: [(String, String)] = [
            ("read", "R"), ("vread", "R"), ("search-type", "E"), ("search-system", "E"), ("history-instance", "R"),
            ("history-type", "R"), ("create", "C"), ("update", "U"), ("patch", "U"), ("delete", "D"), ("transaction", "E"),
            ("operation", "E"),
        ]
        for (record, (subtype, action)) in zip(Self.records, expected) {
            let event = JSONValue.object(Self.builder.event(record).json)
            #expect(event.string("subtype.0.system") == "http://hl7.org/fhir/restful-interaction")
            #expect(event.string("subtype.0.code") == subtype)
            #expect(event.string("action") == action, "\(subtype)")
        }
        let everything = JSONValue.object(Self.builder.event(Self.records[11]).json)
        #expect(everything.string("subtype.1.code") == "$everything")
        #expect(JSONValue.object(Self.builder.event(Self.records[1]).json).string("entity.0.what.reference") == "Patient/p1/_history/2")
    }

    @Test("A query entity carries the query in base64, the queried type and the Query role")
    func query() throws {
        let event = JSONValue.object(Self.builder.event(Self.records[2]).json)
        let encoded = try #require(event.string("entity.0.query"))
        #expect(Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } == "patient=p1&code=1234-5")
        #expect(event.string("entity.0.type.code") == "Observation")
        #expect(event.string("entity.0.role.code") == "24")
        #expect(event.string("entity.0.description") == "Observation?patient=p1&code=1234-5")
        #expect(event[path: "entity.0.name"] == nil)
    }

    @Test("Failures: denied and failed authentication are minor (4), errors serious (8), each with its reason")
    func outcomes() {
        let denied = JSONValue.object(Self.builder.event(Self.records[9]).json)
        #expect(denied.string("outcome") == "4")
        #expect(denied.string("outcomeDesc") == "no scope")
        let failed = JSONValue.object(Self.builder.event(Self.records[10]).json)
        #expect(failed.string("outcome") == "8")
        let login = JSONValue.object(Self.builder.event(Self.records[14]).json)
        #expect(login.string("type.code") == "110114")
        #expect(login.string("subtype.0.code") == "110122")
        #expect(login.string("outcome") == "4")
        #expect(login.string("outcomeDesc") == "token expired")
        #expect(login.string("agent.0.who.display") == "unauthenticated")
        #expect(login.string("agent.0.network.address") == "192.0.2.9")
    }

    @Test("Ingest is an Import of the inbound message; a webhook delivery an Export to its endpoint, a second agent")
    func ingestAndDelivery() {
        let ingest = JSONValue.object(Self.builder.event(Self.records[12]).json)
        #expect(ingest.string("type.code") == "110107")
        #expect(ingest.string("action") == "C")
        #expect(ingest.string("entity.0.what.identifier.system") == AuditSystem.inboundMessage)
        #expect(ingest.string("entity.0.what.identifier.value") == "7")
        #expect(ingest.string("entity.0.name") == "LAB^NORTHWIND")
        #expect(ingest.string("agent.0.who.identifier.value") == "carebridge")
        #expect(ingest.string("agent.0.network.type") == "2")
        let delivery = JSONValue.object(Self.builder.event(Self.records[13]).json)
        #expect(delivery.string("type.code") == "110106")
        #expect(delivery.string("entity.0.what.reference") == "Subscription/s1")
        #expect(delivery.string("entity.0.detail.1.valueString") == "4")
        #expect(delivery.string("agent.1.network.address") == "ehr.example.org")
        #expect(delivery.string("agent.1.network.type") == "1")
        #expect(delivery[path: "agent.1.requestor"]?.boolValue == false)
    }

    @Test("Text from requests never carries NUL characters into the store")
    func nulCharacters() {
        let record = AuditRecord(action: .search, grant: nil, entities: [.query(type: "Patient", query: "name=a\u{0}b")])
        let event = JSONValue.object(Self.builder.event(record).json)
        #expect(event.string("entity.0.description")?.contains("\u{0}") == false)
    }
}
