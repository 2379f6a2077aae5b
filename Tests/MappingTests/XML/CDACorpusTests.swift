import FHIRCore
import Foundation
import Mapping
import SafeXML
import Testing

/// Every C-CDA document of `../shared/corpus/labxml` converts (or, for the one skeleton without any result
/// data, is refused with a clear error), every resource validates, and the Observations of seven documents
/// are what the documents say, listed by hand.
@Suite struct CDACorpusTests {
    @Test func everyCorpusDocumentConverts() throws {
        guard let corpus = XMLFeedTestSupport.corpusDirectory else { return }
        let feeds = try XMLFeedTestSupport.feeds.get()
        let registry = try MappingTestSupport.registry.get()
        var converted = 0
        var refused: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted() where name.hasSuffix(".xml") {
            let root = try XMLFeedTestSupport.parseFragment(try Data(contentsOf: corpus.appendingPathComponent(name)))
            #expect(feeds.detect(root) == .cda, "\(name)")
            do {
                let result = try feeds.convert(root, kind: .cda, context: MappingTestSupport.context(name))
                #expect(MappingTestSupport.validationErrors(result.bundle, registry: registry) == [], "\(name)")
                #expect(result.patient == nil && result.documentID == nil, "\(name): fragments name no patient")
                converted += 1
            } catch {
                refused.append("\(name): \(error)")
            }
        }
        print("labxml corpus: \(converted) converted, \(refused.count) refused")
        for reason in refused { print("  refused: \(reason)") }
        #expect(converted == 11)
        #expect(refused.count == 1 && refused[0].contains("Results_Section_entries_required")
                && refused[0].contains("no Result Organizer or Result Observation with a code or a value"))
    }
}
