import CareBridgeServer
import FHIRCore
import Foundation
import HTTPTypes
import Testing

/// XML lab feeds over HTTP (`POST /fhir/$ingest` with `application/xml`): vendor formats, C-CDA and HL7 v2.xml go
/// through the same inbound log, duplicate detection and replay as ER7.
@Suite("XML lab feeds over HTTP")
struct XMLIngestTests {
    static func sample(_ name: String) throws -> String {
        try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("samples/xml/\(name)"), encoding: .utf8)
    }

    static func post(_ hub: Hub, _ document: String, query: String = "") async throws -> Reply {
        try await hub.send(.post, "/fhir/$ingest\(query)", body: document, headers: ["Content-Type": "application/xml"])
    }

    @Test("A vendor document is detected, stored, logged and found by search; sent again it is a duplicate")
    func vendorDocument() async throws {
        try await Hub.run { hub in
            let document = try Self.sample("northwind_cbc.xml")
            let reply = try await Self.post(hub, document)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(try reply.json["status"]?.stringValue == "processed")
            let written = try reply.json["resources"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(written.contains { $0.hasPrefix("DiagnosticReport/") } && written.contains { $0.hasPrefix("Observation/") })
            let observations = try await hub.get("/fhir/Observation?patient.identifier=448812&_count=100").json.entries
            #expect(observations.count == written.filter { $0.hasPrefix("Observation/") }.count)

            let again = try await Self.post(hub, document)
            #expect(try again.status == 200 && again.json["status"]?.stringValue == "duplicate")
            #expect(try await hub.get("/fhir/Observation?patient.identifier=448812&_count=100").json.entries.count == observations.count)
            let log = try await hub.get("/inbound/messages?type=vendor:northwind-labs").json["messages"]?.arrayValue ?? []
            #expect(log.map { $0["status"]?.stringValue } == ["duplicate", "processed"])
            #expect(log.last?["controlId"]?.stringValue?.isEmpty == false)
        }
    }

    @Test("A C-CDA document gives a DiagnosticReport and Observations for its patient; replay applies it again in place")
    func cdaDocumentAndReplay() async throws {
        try await Hub.run { hub in
            let reply = try await Self.post(hub, try Self.sample("ccda_lipid_panel.xml"))
            #expect(reply.status == 200, "\(reply.text)")
            let reports = try await hub.get("/fhir/DiagnosticReport").json.entries
            #expect(reports.count == 1)
            #expect(reports.first?.string("resource.subject.reference")?.hasPrefix("Patient/") == true)
            let id = try #require(reply.json["id"]?.numberText)
            let replayed = try await hub.send(.post, "/inbound/messages/\(id)/$replay")
            #expect(try replayed.json["status"]?.stringValue == "processed")
            #expect(try await hub.get("/fhir/DiagnosticReport").json.entries.count == 1, "conditional writes: replay updates in place")
        }
    }

    @Test("HL7 v2.xml gives the same FHIR as its ER7 twin, and is stored like it")
    func v2XMLTwin() async throws {
        try await Hub.run { hub in
            let er7 = try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("samples/hl7v2/oru_r01.hl7"), encoding: .utf8)
            let xml = try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("samples/hl7v2/oru_r01.v2.xml"), encoding: .utf8)
            let fromER7 = try await hub.send(.post, "/fhir/$convert", body: er7, headers: ["Content-Type": "application/hl7-v2"])
            let fromXML = try await hub.send(.post, "/fhir/$convert", body: xml, headers: ["Content-Type": "application/xml"])
            #expect(fromER7.status == 200 && fromXML.status == 200)
            #expect(try Self.withoutReceiptTimes(fromXML.json) == Self.withoutReceiptTimes(fromER7.json))
            let reply = try await Self.post(hub, xml)
            #expect(try reply.json["status"]?.stringValue == "processed")
            #expect(try reply.json["acknowledgement"]?.stringValue?.contains("MSA|AA|LAB-2026-0315-0091") == true)
            let sent = try await hub.send(.post, "/fhir/$ingest", body: er7, headers: ["Content-Type": "application/hl7-v2"])
            #expect(sent.text.contains("MSA|AA|LAB-2026-0315-0091"), "the ER7 twin is a duplicate of the v2.xml message, acknowledged again")
            let log = try await hub.get("/inbound/messages?control-id=LAB-2026-0315-0091").json["messages"]?.arrayValue ?? []
            #expect(log.map { $0["status"]?.stringValue } == ["duplicate", "processed"])
        }
    }

    /// The bundle without the values taken from the time of receipt (`Communication.sent`), which differ
    /// between two conversions.
    static func withoutReceiptTimes(_ bundle: JSONValue) -> [JSONValue] {
        (bundle["entry"]?.arrayValue ?? []).map { entry in
            guard case .object(var members) = entry, case .object(var resource)? = members["resource"] else { return entry }
            resource["sent"] = nil
            members["resource"] = .object(resource)
            return .object(members)
        }
    }

    @Test("Every C-CDA document of the shared corpus is taken over HTTP as it is; the empty section skeleton is refused")
    func cdaCorpus() async throws {
        let folder = TestPaths.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus/labxml")
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path).filter({ $0.hasSuffix(".xml") }).sorted() else {
            return
        }
        try await Hub.run { hub in
            for file in files {
                let reply = try await Self.post(hub, try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8))
                if file.contains("Results_Section_entries_required") {
                    #expect(reply.status == 422, "\(file): \(reply.text)")
                } else {
                    #expect(reply.status == 200, "\(file): \(reply.text)")
                    let written = try reply.json["resources"]?.arrayValue?.compactMap(\.stringValue) ?? []
                    #expect(written.contains { $0.hasPrefix("Observation/") || $0.hasPrefix("DiagnosticReport/") }, "\(file)")
                }
            }
        }
    }

    @Test("Unsafe, malformed and unknown XML is refused with 400, kept in the log with the reason")
    func refusals() async throws {
        try await Hub.run { hub in
            let xxe = """
                <?xml version="1.0"?>
                <!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:9/secret">]>
                <ResultBatch xmlns="urn:northwind-labs:results:2">&x;</ResultBatch>
                """
            for document in [xxe, "<ResultBatch xmlns=\"urn:northwind-labs:results:2\"><Lab>", "<Unknown xmlns=\"urn:x\"/>"] {
                let reply = try await Self.post(hub, document)
                #expect(reply.status == 400, "\(document): \(reply.text)")
                #expect(try reply.json["status"]?.stringValue == "error")
                #expect(try reply.json["error"]?.stringValue?.isEmpty == false)
            }
            let errors = try await hub.get("/inbound/messages?status=error").json["messages"]?.arrayValue ?? []
            #expect(errors.count == 3)
            let wrongFormat = try await Self.post(hub, try Self.sample("northwind_cbc.xml"), query: "?format=no-such-lab")
            #expect(wrongFormat.status == 400)
        }
    }

    @Test("$convert shows the FHIR of an XML document without storing it")
    func convert() async throws {
        try await Hub.run { hub in
            let reply = try await hub.send(
                .post, "/fhir/$convert", body: try Self.sample("northwind_micro.xml"), headers: ["Content-Type": "application/xml"])
            #expect(reply.status == 200)
            #expect(try reply.json["type"]?.stringValue == "transaction")
            #expect(try await hub.get("/fhir/Observation").json.entries.isEmpty)
        }
    }
}
