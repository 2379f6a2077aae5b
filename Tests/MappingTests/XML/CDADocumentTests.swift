import FHIRCore
import Foundation
import Mapping
import SafeXML
import Testing

/// A whole C-CDA document: the Patient matched by its first id, the document id, the performing laboratory,
/// statuses, and documents that are refused.
@Suite struct CDADocumentTests {
    static func convert(_ text: String) throws -> XMLFeedResult {
        try XMLFeedTestSupport.feeds.get().convert(try SafeXMLParser().parse(text), kind: .cda, context: MappingTestSupport.context("doc"))
    }

    static let sample: String = {
        let url = XMLFeedTestSupport.samplesDirectory.appendingPathComponent("ccda_lipid_panel.xml")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    @Test func thePatientIsCreatedWhenUnknownAndResultsPointToIt() throws {
        let result = try Self.convert(Self.sample)
        #expect(result.documentID == "2.16.840.1.113883.19.5.99999.1^LAB-DOC-20200301-0007")
        #expect(result.patient?.description == "urn:oid:2.16.840.1.113883.19.5.99999.2|998877")
        let entries = result.bundle.json["entry"]?.arrayValue ?? []
        #expect(entries.first?["request"]?["ifNoneExist"] == .string("identifier=urn:oid:2.16.840.1.113883.19.5.99999.2|998877"))
        let patientURL = entries.first?["fullUrl"]
        for observation in XMLFeedTestSupport.resources(result, "Observation") { #expect(observation["subject"]?["reference"] == patientURL) }
        #expect(XMLFeedTestSupport.resources(result, "Organization").first?["name"] == .string("Community Reference Laboratory"))
    }

    @Test func statusesFollowTheCCDAOnFHIRMap() throws {
        let result = try Self.convert(Self.sample)
        #expect(XMLFeedTestSupport.resources(result, "DiagnosticReport").first?["status"] == .string("registered"))
        #expect(XMLFeedTestSupport.resources(result, "Observation").map { $0["status"]?.stringValue } == ["final", "preliminary", "final"])
    }

    @Test func aValueWithoutACodeIsRefused() throws {
        let text = Self.sample.replacingOccurrences(of: #"<code code="2085-9" codeSystem="2.16.840.1.113883.6.1" displayName="Cholesterol in HDL [Mass/volume] in Serum or Plasma"/>"#,
                                                    with: "")
        #expect {
            try Self.convert(text)
        } throws: { error in
            (error as? MappingError)?.description == "organizer 1, observation 2: a Result Observation with a value needs a code"
        }
    }

    @Test func aBadTimeOnAnObservationIsRefused() throws {
        let text = Self.sample.replacingOccurrences(of: #"<effectiveTime value="20200301114500-0500"/>"#,
                                                    with: #"<effectiveTime value="20201301114500-0500"/>"#)
        #expect(throws: MappingError.self) { try Self.convert(text) }
    }

    @Test func aPatientWithoutAnIdIsRefused() throws {
        let text = Self.sample.replacingOccurrences(of: #"<id root="2.16.840.1.113883.19.5.99999.2" extension="998877"/>"#, with: "")
            .replacingOccurrences(of: #"<id root="2.16.840.1.113883.4.1" extension="111-00-2345"/>"#, with: #"<id nullFlavor="UNK"/>"#)
        #expect(throws: MappingError.self) { try Self.convert(text) }
    }
}
