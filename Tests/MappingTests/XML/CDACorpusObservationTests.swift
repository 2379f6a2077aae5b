import FHIRCore
import Foundation
import Mapping
import SafeXML
import Testing

/// The Observations of corpus documents, listed by hand from each document as
/// `code | [comparator]value unit | low-high (range text) | interpretation`. Reference ranges whose
/// interpretationCode is not N are left out (C-CDA on FHIR: FHIR reference ranges are normal ranges).
@Suite struct CDACorpusObservationTests {
    static let expected: [(document: String, observations: [String])] = [
        ("Basic_Metabolic_Panel", [
            "2947-0 | 140 mmol/L | 135-145 (135-145 mmol/L) | N",
            "6298-4 | 4.2 mmol/L | 3.5-5.2 (3.5-5.2 mmol/L) | N",
            "2069-3 | 98 mmol/L | 95-110 (95-110 mmol/L) | N",
            "2028-9 | 24 mmol/L | 23-29 (23-29 mmol/L) | N",
            "6299-2 | 10 md/dL | 8-24 (8-24 mg/dL) | N",
            "38483-4 | 1.2 mg/dL | 0.8-1.3 (0.8-1.3 mg/dL) | N",
            "2339-0 | 185 mmol/L | 70-140 (70-140 mg/dL) | H",
            "6598-7 | 0.01 ng/mL | 0.0-0.1 (0.0-0.1 ng/mL) | N",
            "6598-7 | 0.01 ng/mL | 0.0-0.1 (0.0-0.1 ng/mL) | N",
        ]),
        ("greater_than_a_specified_value", ["32016-8 | >500 mg/dL | 80-140 | >"]),
        ("less_than_specific_value", ["42637-9 | <=5 pg/mL | 0-100 | N"]),
        ("urine_color", ["5778-6 | \"Amber\" |  | N"]),
        ("non-numeric_physical_quantity", ["3043-7 | 450 mg/dL |  | ", "13457-7 | \"Unable to calculate\" |  | "]),
        ("CO2_Test_Normal", ["2028-9 | 27 mmol/L | 23-29 (23-29 mmol/L) | N"]),
        ("COVID_Test", ["94500-6 | 260373001 | - (Reference (Normal) for this test is not detected) | A"]),
        ("translation_unit", ["26515-7 | 152 10*3/uL | 150-400 | N"]),
        ("Result_Observation_V3", ["20570-8 | 35.3 % |  | L"]),
        ("Chest_X-ray", ["36643-5 | \"The lungs are clear. The heart is enlarged with evidence of cardiomegaly. Pulmonary "
            + "vasculature is normal. The aorta is mildly ectatic and tortuous. IMPRESSION: Cardiomegaly. No other acute abnormality.\" |  | "]),
    ]

    static func convert(_ fragment: String) throws -> XMLFeedResult? {
        guard let root = try XMLFeedTestSupport.corpusDocument(fragment) else { return nil }
        return try XMLFeedTestSupport.feeds.get().convert(root, kind: .cda, context: MappingTestSupport.context(fragment))
    }

    @Test(arguments: expected.map(\.document)) func observationsMatchTheDocument(_ document: String) throws {
        guard let result = try Self.convert(document) else { return }
        let observations = XMLFeedTestSupport.resources(result, "Observation").map(XMLFeedTestSupport.summary)
        #expect(observations == Self.expected.first { $0.document == document }?.observations)
    }

    @Test func quantitiesKeepUnitAndDecimalAsWritten() throws {
        guard let result = try Self.convert("Basic_Metabolic_Panel") else { return }
        let troponin = try #require(XMLFeedTestSupport.resources(result, "Observation").last)
        #expect(troponin["valueQuantity"] == .object(JSONObject([
            ("value", .number("0.01")), ("unit", .string("ng/mL")), ("system", .string("http://unitsofmeasure.org")),
            ("code", .string("ng/mL")),
        ])))
        #expect(troponin["referenceRange"]?.arrayValue?.first?["low"]?["value"] == .number("0.0"))
        #expect(troponin["effectiveDateTime"] == .string("2012-10-03T10:08:00-05:00"))
        #expect(troponin["status"] == .string("final"))
        #expect(troponin["identifier"]?.arrayValue?.first == .object(JSONObject([
            ("system", .string("urn:ietf:rfc:3986")), ("value", .string("urn:uuid:bf9c0a26-4524-4395-b3ce-100450b9c9ac")),
        ])))
    }

    @Test func reportsTakeTheirObservationsTimesWhenTheOrganizerHasNone() throws {
        guard let result = try Self.convert("Basic_Metabolic_Panel") else { return }
        let reports = XMLFeedTestSupport.resources(result, "DiagnosticReport")
        #expect(reports.map { $0["code"]?["coding"]?.arrayValue?.first?["code"]?.stringValue } == ["51990-0", "6598-7", "6598-7"])
        #expect(reports.map { $0["effectiveDateTime"]?.stringValue } == [
            "2012-10-02T09:08:00-05:00", "2012-10-02T09:08:00-05:00", "2012-10-03T10:08:00-05:00",
        ])
        #expect(reports.map { $0["result"]?.arrayValue?.count } == [7, 1, 1])
        #expect(reports.allSatisfy { $0["status"] == .string("final") && $0["subject"] == nil })
    }

    @Test func anUnreadableOrganizerTimeFallsBackToTheObservation() throws {
        guard let result = try Self.convert("greater_than_a_specified_value") else { return }
        let report = try #require(XMLFeedTestSupport.resources(result, "DiagnosticReport").first)
        #expect(report["effectiveDateTime"] == .string("2014-03-02T09:08:00-05:00"))
        let observation = try #require(XMLFeedTestSupport.resources(result, "Observation").first)
        #expect(observation["valueQuantity"]?["comparator"] == .string(">"))
    }

    @Test func aLoneResultObservationHasNoReportAndNamesItsLabByName() throws {
        guard let result = try Self.convert("Result_Observation_V3") else { return }
        #expect(XMLFeedTestSupport.resources(result, "DiagnosticReport").isEmpty)
        #expect(XMLFeedTestSupport.resources(result, "Organization").isEmpty)
        let observation = try #require(XMLFeedTestSupport.resources(result, "Observation").first)
        #expect(observation["effectiveDateTime"] == .string("2008-03-19T08:30:00-08:00"))
        #expect(observation["performer"] == .array([.object(JSONObject([("display", .string("Good Health Laboratory"))]))]))
        #expect(observation["interpretation"]?.arrayValue?.first?["coding"]?.arrayValue?.first?["system"]
                == .string("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"))
    }

    @Test func anOrganizerWhoseObservationIsAPlaceholderIsAReportWithoutResults() throws {
        guard let result = try Self.convert("Result_Organizer_V3") else { return }
        #expect(XMLFeedTestSupport.resources(result, "Observation").isEmpty)
        let report = try #require(XMLFeedTestSupport.resources(result, "DiagnosticReport").first)
        #expect(report["code"]?["coding"]?.arrayValue?.first?["code"] == .string("57021-8"))
        #expect(report["effectiveDateTime"] == .string("2008-03-19T08:30:00-08:00"))
        #expect(report["result"] == nil)
    }
}
