import FHIRCore
import Foundation
import Mapping
import SafeXML
import Testing

/// Vendor XML formats described by `mappings/xml/*.yaml`: recognition, duplicate ids, values read as the
/// mapping says, clear errors for content and for mapping files, and a new format added with a file alone.
@Suite struct VendorMappingTests {
    static func sample(_ name: String) throws -> SafeXMLElement {
        try SafeXMLParser().parse(Array(try Data(contentsOf: XMLFeedTestSupport.samplesDirectory.appendingPathComponent(name + ".xml"))))
    }

    @Test func northwindDocumentsAreRecognisedByRootAndNamespace() throws {
        let feeds = try XMLFeedTestSupport.feeds.get()
        #expect(feeds.vendorNames == ["northwind-labs"])
        #expect(feeds.detect(try Self.sample("northwind_cbc")) == .vendor("northwind-labs"))
        #expect(feeds.detect(try Self.sample("northwind_micro")) == .vendor("northwind-labs"))
        #expect(feeds.detect(try SafeXMLParser().parse(#"<ResultBatch xmlns="urn:other"/>"#)) == nil)
        #expect(feeds.detect(try SafeXMLParser().parse(#"<ORU_R01 xmlns="urn:hl7-org:v2xml"/>"#)) == nil)
        #expect(feeds.detect(try Self.sample("ccda_lipid_panel")) == .cda)
    }

    @Test func resultsAreWhatTheDocumentSays() throws {
        let feeds = try XMLFeedTestSupport.feeds.get()
        let result = try feeds.convert(try Self.sample("northwind_cbc"), kind: .vendor("northwind-labs"),
                                       context: MappingTestSupport.context("cbc"))
        #expect(result.documentID == "NWL-20260314-000117")
        #expect(result.patient?.description == "urn:oid:1.2.276.0.76.4.17|448812")
        #expect(XMLFeedTestSupport.resources(result, "Observation").map(XMLFeedTestSupport.summary) == [
            "6690-2 | 11.80 10*3/uL | 4.0-10.5 | H",
            "718-7 | 13.5 g/dL | 12.0-16.0 | N",
            "1988-5 | <0.5 mg/L | -5 | ",
        ])
        let report = try #require(XMLFeedTestSupport.resources(result, "DiagnosticReport").first)
        #expect(report["effectiveDateTime"] == .string("2026-03-14T07:55:00+01:00"))
        #expect(report["issued"] == .string("2026-03-14T09:40:00+01:00"))
    }

    @Test func aValueTheMapDoesNotKnowIsRefusedWithWhere() throws {
        let feeds = try XMLFeedTestSupport.feeds.get()
        let text = String(decoding: try Data(contentsOf: XMLFeedTestSupport.samplesDirectory.appendingPathComponent("northwind_cbc.xml")),
                          as: UTF8.self).replacingOccurrences(of: #"seq="2" state="F""#, with: #"seq="2" state="Q""#)
        #expect {
            try feeds.convert(try SafeXMLParser().parse(text), kind: .vendor("northwind-labs"), context: MappingTestSupport.context("q"))
        } throws: { error in
            let description = (error as? MappingError)?.description ?? ""
            return description.contains("order 1, result 2") && description.contains("\"Q\" is not one of")
        }
    }

    @Test func aNumberThatIsNotOneIsRefused() throws {
        let feeds = try XMLFeedTestSupport.feeds.get()
        let text = String(decoding: try Data(contentsOf: XMLFeedTestSupport.samplesDirectory.appendingPathComponent("northwind_cbc.xml")),
                          as: UTF8.self).replacingOccurrences(of: ">13.5<", with: ">13,5<")
        #expect(throws: MappingError.self) {
            try feeds.convert(try SafeXMLParser().parse(text), kind: .vendor("northwind-labs"), context: MappingTestSupport.context("n"))
        }
    }

    @Test func anotherVendorNeedsOnlyAMappingFile() throws {
        let directory = try Self.mappingsCopy(adding: """
            vendor:
              name: contoso-path
              recognise: {root: labReport}
              document-id: header/@id
              patient:
                identifier: {value: header/patientId, system: {const: "urn:oid:1.2.3.4"}}
              orders:
                each: "."
                filler: {value: header/accession}
                code: {code: {const: "24331-1"}, system: {const: LN}}
                results:
                  each: analyte
                  id: "@n"
                  code: {code: "@loinc", system: {const: LN}}
                  value: result
                  unit: result/@units
                  range: refRange
                  flag: {path: flag, table: "0078"}
                  effective: {path: "@at", format: hl7}
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        let feeds = try XMLLabFeeds.load(from: directory)
        let root = try SafeXMLParser().parse("""
            <labReport><header id="C-1"><patientId>P77</patientId><accession>A-9</accession></header>
            <analyte n="1" loinc="2093-3" at="202603141030"><result units="mg/dL">212</result><refRange>&lt;200</refRange><flag>H</flag></analyte>
            </labReport>
            """)
        #expect(feeds.detect(root) == .vendor("contoso-path"))
        let result = try feeds.convert(root, kind: .vendor("contoso-path"), context: MappingTestSupport.context("contoso"))
        #expect(result.documentID == "C-1")
        #expect(XMLFeedTestSupport.resources(result, "Observation").map(XMLFeedTestSupport.summary) == ["2093-3 | 212 mg/dL | -200 | H"])
        #expect(XMLFeedTestSupport.resources(result, "Observation").first?["effectiveDateTime"] == .string("2026-03-14T10:30:00Z"))
    }

    @Test func aWrongMappingFileIsRefusedWithItsLine() throws {
        let directory = try Self.mappingsCopy(adding: """
            vendor:
              name: broken
              recognise: {root: x}
              orders:
                each: "a[["
                filler: {value: "@id"}
                code: {code: "@code"}
                results: {each: r, id: "@n", code: {code: "@code"}}
            """)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect {
            try XMLLabFeeds.load(from: directory)
        } throws: { error in
            let error = error as? MappingError
            return error?.kind == .invalidMapping && error?.file?.hasPrefix("xml/extra.yaml:") == true
                && error?.message.contains("\"a[[\" is not a selector") == true
        }
    }

    /// A copy of the repository's mappings folder with one more file `xml/extra.yaml`.
    static func mappingsCopy(adding mapping: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xml-mappings-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: MappingTestSupport.mappingsDirectory, to: directory)
        try Data(mapping.utf8).write(to: directory.appendingPathComponent("xml/extra.yaml"))
        return directory
    }
}
