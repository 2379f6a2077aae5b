import FHIRCore
import Foundation
import Mapping
import SafeXML
import Testing

/// `samples/xml/NAME.xml` (and two corpus documents) convert to `samples/expected/xml/NAME.json`, compared
/// structurally, and every resource is valid R4. Run with `CAREBRIDGE_UPDATE_GOLDEN=1` to rewrite the expected
/// files after an intended change, then read the diff.
@Suite struct XMLGoldenTests {
    static let sampleNames: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: XMLFeedTestSupport.samplesDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".xml") }.map { String($0.dropLast(4)) }.sorted()
    }()
    static let corpusGolden = [("corpus_basic_metabolic_panel", "Basic_Metabolic_Panel"), ("corpus_covid_test", "COVID_Test")]

    @Test(arguments: sampleNames) func sampleMatchesExpected(_ name: String) throws {
        let url = XMLFeedTestSupport.samplesDirectory.appendingPathComponent(name + ".xml")
        try check(name, try SafeXMLParser().parse(Array(try Data(contentsOf: url))))
    }

    @Test(arguments: corpusGolden.map(\.0)) func corpusDocumentMatchesExpected(_ name: String) throws {
        let fragment = try #require(Self.corpusGolden.first { $0.0 == name }?.1)
        guard let root = try XMLFeedTestSupport.corpusDocument(fragment) else { return }
        try check(name, root)
    }

    private func check(_ name: String, _ root: SafeXMLElement) throws {
        let feeds = try XMLFeedTestSupport.feeds.get()
        let kind = try #require(feeds.detect(root))
        let result = try feeds.convert(root, kind: kind, context: MappingTestSupport.context(name))
        #expect(MappingTestSupport.validationErrors(result.bundle, registry: try MappingTestSupport.registry.get()) == [])
        let actual = JSONWriter.indented(.object(result.bundle.json)) + "\n"
        let expectedURL = XMLFeedTestSupport.expectedDirectory.appendingPathComponent(name + ".json")
        if ProcessInfo.processInfo.environment["CAREBRIDGE_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: XMLFeedTestSupport.expectedDirectory, withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: expectedURL)
            return
        }
        let expected = try JSONParser().parse(Array(try Data(contentsOf: expectedURL)))
        #expect(JSONValue.object(result.bundle.json) == expected, "\(name): run with CAREBRIDGE_UPDATE_GOLDEN=1 after an intended change")
    }
}
