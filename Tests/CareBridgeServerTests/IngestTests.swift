import CareBridgeServer
import FHIRCore
import Foundation
import HL7v2
import HTTPTypes
import Testing

/// HL7v2 ingestion over HTTP (`POST /fhir/$ingest`) with the inbound log, duplicates, errors and replay.
@Suite("HL7v2 ingest over HTTP")
struct IngestTests {
    static func adt(_ control: String, mrn: String = "INGEST-1", family: String = "Okafor", trigger: String = "A01") -> String {
        [
            "MSH|^~\\&|REG|NORTH|CAREBRIDGE|HUB|20261123101500||ADT^\(trigger)^ADT_A01|\(control)|P|2.5.1",
            "EVN|\(trigger)|20261123101500",
            "PID|1||\(mrn)^^^NORTH&1.2.840.114350&ISO^MR||\(family)^Ada^^^^^L||19800314|F|||1 Main St^^Springfield^IL^62701^USA^H||^PRN^PH^^^217^5550101",
            "PV1|1|I|WARD1^101^A^NORTH||||1234^Jones^Pat^^^^^^NPI||||||||||||V-\(control)|||||||||||||||||||||||||20261123100000",
        ].joined(separator: "\r") + "\r"
    }

    static func post(_ hub: Hub, _ message: String, contentType: String = "application/hl7-v2") async throws -> (Reply, HL7Message?) {
        let reply = try await hub.send(.post, "/fhir/$ingest", body: message, headers: ["Content-Type": contentType])
        return (reply, try? HL7Message(parsing: reply.text))
    }

    @Test("ADT^A01 is applied and acknowledged AA; the same message again is a duplicate, applied once")
    func applyAndDuplicate() async throws {
        try await Hub.run { hub in
            let (reply, ack) = try await Self.post(hub, Self.adt("C1"))
            #expect(reply.status == 200 && reply.header("Content-Type")?.hasPrefix("application/hl7-v2") == true)
            #expect(ack?["MSA-1"] == "AA" && ack?["MSA-2"] == "C1", "\(reply.text)")
            let patients = try await hub.get("/fhir/Patient?identifier=INGEST-1").json.entries
            #expect(patients.count == 1 && patients.first?.string("resource.name.0.family") == "Okafor")

            let (_, again) = try await Self.post(hub, Self.adt("C1", family: "Changed"))
            #expect(again?["MSA-1"] == "AA", "a duplicate is acknowledged again")
            #expect(try await hub.get("/fhir/Patient?identifier=INGEST-1&family=okafor").json.entries.count == 1, "not applied twice")
            let log = try await hub.get("/inbound/messages?control-id=C1").json["messages"]?.arrayValue ?? []
            #expect(log.map { $0["status"]?.stringValue } == ["duplicate", "processed"])
            #expect(log.first?["duplicateOf"] == log.last?["id"])
            #expect((log.last?["resources"]?.arrayValue ?? []).contains { $0.stringValue?.hasPrefix("Patient/") == true })

            let (_, unmappable) = try await Self.post(hub, Self.adt("C1", trigger: "Z99"))
            #expect(unmappable?["MSA-1"] == "AA", "a copy is a duplicate even when applying it would fail now")
            let copies = try await hub.get("/inbound/messages?control-id=C1").json["messages"]?.arrayValue ?? []
            #expect(copies.map { $0["status"]?.stringValue } == ["duplicate", "duplicate", "processed"])

            let (_, update) = try await Self.post(hub, Self.adt("C2", family: "Okafor-Smith", trigger: "A08"))
            #expect(update?["MSA-1"] == "AA")
            let updated = try await hub.get("/fhir/Patient?identifier=INGEST-1").json.entries
            #expect(updated.count == 1 && updated.first?.string("resource.name.0.family") == "Okafor-Smith", "updated, not duplicated")

            let version = updated.first?.string("resource.meta.versionId")
            let (_, same) = try await Self.post(hub, Self.adt("C3", family: "Okafor-Smith", trigger: "A08"))
            #expect(same?["MSA-1"] == "AA")
            let unchanged = try await hub.get("/fhir/Patient?identifier=INGEST-1").json.entries
            #expect(unchanged.first?.string("resource.meta.versionId") == version, "an A08 that changes nothing makes no version")
        }
    }

    @Test("copies of one message arriving at once are all acknowledged AA and applied once")
    func concurrentCopies() async throws {
        try await Hub.run { hub in
            let codes = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<6 { group.addTask { try await Self.post(hub, Self.adt("SAME-1", mrn: "COPIES-1")).1?["MSA-1"] } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(codes == Array(repeating: "AA", count: 6))
            let log = try await hub.get("/inbound/messages?control-id=SAME-1").json["messages"]?.arrayValue ?? []
            let processed = log.filter { $0["status"]?.stringValue == "processed" }
            #expect(processed.count == 1 && log.count == 6)
            #expect(log.filter { $0["status"]?.stringValue == "duplicate" }.allSatisfy { $0["duplicateOf"] == processed.first?["id"] })
            let patients = try await hub.get("/fhir/Patient?identifier=COPIES-1").json.entries
            #expect(patients.count == 1 && patients.first?.string("resource.meta.versionId") == "1")
        }
    }

    @Test("unreadable and unsupported messages get AR, stay in the log as errors, and can be listed and shown")
    func rejections() async throws {
        try await Hub.run { hub in
            let (_, garbage) = try await Self.post(hub, "MSH|^~\\&|X|Y|||2026||ADT^A01|G1|P|2.5\rPID|1||1^^^A^MR\rbad segment\r")
            #expect(garbage?["MSA-1"] == "AR" && garbage?["MSA-2"] == "G1" && garbage?["ERR-3.1"] == "100")
            let (_, unsupported) = try await Self.post(hub, "MSH|^~\\&|X|Y|||2026||MFN^M02|U1|P|2.5\rMFI|PRA\r")
            #expect(unsupported?["MSA-1"] == "AR" && unsupported?["ERR-3.1"] == "200")

            let errors = try await hub.get("/inbound/messages?status=error").json["messages"]?.arrayValue ?? []
            #expect(Set(errors.compactMap { $0["controlId"]?.stringValue }) == ["G1", "U1"])
            let id = try #require(errors.first?["id"]?.numberText)
            let shown = try await hub.get("/inbound/messages/\(id)").json
            #expect(shown["raw"]?.stringValue?.hasPrefix("MSH|") == true && shown["error"] != nil)
            try await hub.get("/inbound/messages/999999").expectError(404)
            try await hub.get("/inbound/messages?status=bogus").expectError(400)
            let wrongType = try await hub.send(.post, "/fhir/$ingest", body: "{}", headers: ["Content-Type": "application/json"])
            try wrongType.expectError(415)
        }
    }

    @Test("replay re-runs a logged message; $convert shows the Bundle without storing; mappings reload")
    func replayAndConvert() async throws {
        try await Hub.run { hub in
            let converted = try await hub.send(
                .post, "/fhir/$convert", body: Self.adt("V1", mrn: "CONVERT-1"), headers: ["Content-Type": "application/hl7-v2"])
            #expect(converted.status == 200, "\(converted.text)")
            #expect(try converted.json["type"]?.stringValue == "transaction")
            #expect(try await hub.get("/fhir/Patient?identifier=CONVERT-1").json.entries.isEmpty, "a dry run stores nothing")

            let (reply, _) = try await Self.post(hub, Self.adt("R1", mrn: "REPLAY-1"))
            let id = try #require(reply.header("X-CareBridge-Inbound-Id"))
            let replayed = try await hub.post("/inbound/messages/\(id)/$replay", "").json
            #expect(replayed["status"]?.stringValue == "processed")
            #expect(try await hub.get("/fhir/Patient?identifier=REPLAY-1").json.entries.count == 1, "replaying does not duplicate")
            let attempts = try await hub.get("/inbound/messages/\(id)").json["attempts"]
            #expect(attempts == .number("2"))

            let reload = try await hub.post("/fhir/$reload-mappings", "")
            #expect(reload.status == 200 && reload.text.contains("ADT^A01"), "\(reload.text)")
        }
    }

    @Test("ADT^A40 merges: the merged patient is inactive with a replaced-by link, its encounter now points to the survivor")
    func merge() async throws {
        try await Hub.run { hub in
            #expect(try await Self.post(hub, Self.adt("MG1", mrn: "MERGED-1", family: "Adaze")).1?["MSA-1"] == "AA")
            #expect(try await Self.post(hub, Self.adt("MG2", mrn: "SURV-1", family: "Adaeze")).1?["MSA-1"] == "AA")
            let a40 = [
                "MSH|^~\\&|REG|NORTH|CAREBRIDGE|HUB|20261123111500||ADT^A40^ADT_A39|MG3|P|2.5.1",
                "EVN|A40|20261123111500",
                "PID|1||SURV-1^^^NORTH&1.2.840.114350&ISO^MR||Adaeze^Ada^^^^^L||19800314|F",
                "MRG|MERGED-1^^^NORTH&1.2.840.114350&ISO^MR",
            ].joined(separator: "\r") + "\r"
            let (reply, ack) = try await Self.post(hub, a40)
            #expect(ack?["MSA-1"] == "AA", "\(reply.text)")

            let survivor = try #require(try await hub.get("/fhir/Patient?identifier=SURV-1").json.entries.first?.string("resource.id"))
            let merged = try await hub.get("/fhir/Patient?identifier=MERGED-1").json.entries.first?["resource"]
            #expect(merged?["active"] == .bool(false))
            let link = merged?["link"]?.arrayValue?.first
            #expect(link?["type"]?.stringValue == "replaced-by")
            #expect(link?["other"]?["reference"]?.stringValue == "Patient/\(survivor)")
            let encounters = try await hub.get("/fhir/Encounter?identifier=V-MG1").json.entries
            #expect(encounters.first?.string("resource.subject.reference") == "Patient/\(survivor)", "the encounter moved")
            let entry = try await hub.get("/inbound/messages?control-id=MG3").json["messages"]?.arrayValue?.first
            let log = entry?["resources"]?.arrayValue ?? []
            #expect(log.contains { $0.stringValue?.hasPrefix("Encounter/") == true }, "the moved encounter is listed")
        }
    }

    @Test("a batch (FHS/BHS) is split into its messages, each acknowledged; unreadable input stays whole")
    func batches() async throws {
        let batch = "FHS|^~\\&|REG|NORTH\rBHS|^~\\&|REG|NORTH\r" + Self.adt("B1", mrn: "BATCH-1") + Self.adt("B2", mrn: "BATCH-2")
            + "BTS|2\rFTS|1\r"
        #expect(IngestPipeline.messages(in: Array(batch.utf8)).count == 2)
        let single = Array(Self.adt("S1").utf8)
        #expect(IngestPipeline.messages(in: single) == [single])
        #expect(IngestPipeline.messages(in: Array("garbage".utf8)) == [Array("garbage".utf8)])
        try await Hub.run { hub in
            let reply = try await hub.send(.post, "/fhir/$ingest", body: batch, headers: ["Content-Type": "application/hl7-v2"])
            let acknowledged = reply.text.split(separator: "\r").filter { $0.hasPrefix("MSA|") }
            #expect(acknowledged == ["MSA|AA|B1", "MSA|AA|B2"], "\(reply.text)")
            #expect(try await hub.get("/fhir/Patient?identifier=BATCH-1,BATCH-2").json.entries.count == 2)
        }
    }
}
