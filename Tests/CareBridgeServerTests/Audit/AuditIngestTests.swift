import CareBridgeServer
import FHIRCore
import Foundation
import HL7v2
import Logging
import MLLP
import Testing

/// Every inbound message leaves an AuditEvent: an Import by its sender, of its inbound log entry and of the
/// resources it produced, from the peer's address, with what became of it.
@Suite("Audit of ingest")
struct AuditIngestTests {
    static let importType = "http://dicom.nema.org/resources/ontology/DCM|110107"

    /// The AuditEvents of inbound message `logID`.
    static func events(_ hub: Hub, logID: String) async throws -> [JSONValue] {
        let reply = try await hub.get("/fhir/AuditEvent?type=\(importType)&entity:identifier=\(AuditSystem.inboundMessage)|\(logID)")
        #expect(reply.status == 200, "\(reply.text)")
        return try reply.json.entries.compactMap { $0["resource"] }
    }

    /// Waits up to 20 s for the hub's own trail to have written `count` events of inbound message `logID`.
    static func waitForEvents(_ hub: Hub, logID: String, count: Int) async throws -> [JSONValue] {
        let deadline = ContinuousClock.now + .seconds(20)
        var events: [JSONValue] = []
        while ContinuousClock.now < deadline {
            events = try await Self.events(hub, logID: logID)
            if events.count >= count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return events
    }

    @Test("MLLP: processed, duplicate and refused messages are audited with the peer address, sender and resources")
    func mllp() async throws {
        try await Hub.run { hub in
            var logger = Logger(label: "carebridge.audit.test")
            logger.logLevel = .critical
            let configuration = HubConfiguration(
                profilesDirectory: TestPaths.profilesDirectory.path,
                mappingsDirectory: TestPaths.repositoryRoot.appendingPathComponent("mappings").path)
            let pipeline = try makeIngestPipeline(configuration: configuration, client: hub.database, logger: logger)
            let listener = MLLPListener(
                configuration: MLLPConfiguration(host: "127.0.0.1", port: 0), handler: IngestMLLPHandler(pipeline: pipeline), logger: logger)
            let acks = try await withThrowingTaskGroup(of: [HL7Message]?.self) { group in
                group.addTask { try await listener.run(); return nil }
                defer { group.cancelAll() }
                let port = try #require(await listener.boundPort)
                let sender = try await MLLPClient.connect(host: "127.0.0.1", port: port)
                var acks: [HL7Message] = []
                for message in [IngestTests.adt("AUD1", mrn: "AUDIT-1"), IngestTests.adt("AUD1", mrn: "AUDIT-1"), "MSH|^~\\&|REG|NORTH|X\rPID|broken\r"] {
                    acks.append(try HL7Message(parsing: try await sender.send(message)))
                }
                try await sender.close()
                return acks
            }
            let logIDs = acks.compactMap { $0["MSH-10"].map { String($0.dropFirst(2)) } }
            try #require(logIDs.count == 3)
            await pipeline.flushAudit()

            let processed = try #require(try await Self.events(hub, logID: logIDs[0]).first)
            #expect(processed.string("action") == "C")
            #expect(processed.string("outcome") == "0")
            #expect(processed.string("outcomeDesc") == "mllp: processed")
            #expect(processed.string("agent.0.who.identifier.value") == "carebridge")
            #expect(processed.string("agent.0.network.address") == "127.0.0.1")
            #expect(processed.string("entity.0.name") == "REG^NORTH")
            let details = processed[path: "entity.0.detail"]?.arrayValue ?? []
            #expect(details.contains { $0["type"]?.stringValue == "control-id" && $0["valueString"]?.stringValue == "AUD1" })
            #expect(details.contains { $0["type"]?.stringValue == "message-type" && $0["valueString"]?.stringValue == "ADT^A01" })
            let produced = (processed["entity"]?.arrayValue ?? []).dropFirst().compactMap { $0.string("what.reference") }
            let patient = try #require(try await hub.get("/fhir/Patient?identifier=AUDIT-1").json.entries.first?.string("resource.id"))
            #expect(produced.contains("Patient/\(patient)"), "\(produced)")
            let byResource = try await hub.get("/fhir/AuditEvent?type=\(Self.importType)&entity=Patient/\(patient)").json.entries
            #expect(byResource.count == 1)

            let duplicate = try #require(try await Self.events(hub, logID: logIDs[1]).first)
            #expect(duplicate.string("outcome") == "0")
            #expect(duplicate.string("outcomeDesc") == "mllp: duplicate")

            let refused = try #require(try await Self.events(hub, logID: logIDs[2]).first)
            #expect(refused.string("outcome") == "8")
            #expect(refused.string("outcomeDesc")?.hasSuffix("mllp: error") == true)
        }
    }

    @Test("HTTP $ingest is audited by the hub's own trail")
    func http() async throws {
        try await Hub.run { hub in
            let (reply, ack) = try await IngestTests.post(hub, IngestTests.adt("AUD2", mrn: "AUDIT-2"))
            #expect(ack?["MSA-1"] == "AA", "\(reply.text)")
            let logID = try #require(reply.header("X-CareBridge-Inbound-Id"))
            let events = try await Self.waitForEvents(hub, logID: logID, count: 1)
            #expect(events.count == 1)
            #expect(events.first?.string("outcomeDesc") == "http: processed")
            #expect(events.first?.string("entity.0.name") == "REG^NORTH")
        }
    }
}
