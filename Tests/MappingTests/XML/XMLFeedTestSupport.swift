import FHIRCore
import Foundation
import Mapping
import SafeXML

/// Shared pieces of the XML lab feed tests: the loaded feeds, the corpus and sample folders, parsing.
enum XMLFeedTestSupport {
    static let feeds: Result<XMLLabFeeds, MappingError> = Result { () throws(MappingError) in
        try XMLLabFeeds.load(from: MappingTestSupport.mappingsDirectory)
    }
    static let samplesDirectory = MappingTestSupport.repositoryRoot.appendingPathComponent("samples/xml", isDirectory: true)
    static let expectedDirectory = MappingTestSupport.expectedDirectory.appendingPathComponent("xml", isDirectory: true)

    /// `../shared/corpus/labxml`, when present on this machine.
    static var corpusDirectory: URL? {
        let url = MappingTestSupport.repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus/labxml")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// The corpus document whose file name contains `fragment`.
    static func corpusDocument(_ fragment: String) throws -> SafeXMLElement? {
        guard let corpus = corpusDirectory else { return nil }
        let names = try FileManager.default.contentsOfDirectory(atPath: corpus.path)
        guard let name = names.first(where: { $0.contains(fragment) }) else { return nil }
        return try parseFragment(try Data(contentsOf: corpus.appendingPathComponent(name)))
    }

    /// Parses a C-CDA document or fragment. The corpus fragments were cut out of documents that declare `xsi`
    /// on `ClinicalDocument`; a fragment whose root does not declare it gets the declaration its enclosing
    /// document would have given it, on its root element (the parser refuses undeclared prefixes).
    static func parseFragment(_ data: Data) throws -> SafeXMLElement {
        let text = String(decoding: data, as: UTF8.self)
        guard let start = text.range(of: #"<[A-Za-z][\w.:-]*"#, options: .regularExpression),
              let end = text[start.upperBound...].firstIndex(of: ">"),
              !text[start.lowerBound..<end].contains("xmlns:xsi"), text.contains("xsi:") else {
            return try SafeXMLParser().parse(Array(data))
        }
        let declared = text.replacingCharacters(
            in: start, with: text[start] + #" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance""#)
        return try SafeXMLParser().parse(declared)
    }

    /// The resources of one type in a bundle.
    static func resources(_ result: XMLFeedResult, _ type: String) -> [JSONObject] {
        MappingTestSupport.resources(result.bundle, type: type)
    }

    /// A compact, comparable summary of an Observation: `code|value unit|comparator|low-high|interpretation`.
    static func summary(_ observation: JSONObject) -> String {
        let code = observation["code"]?["coding"]?.arrayValue?.first?["code"]?.stringValue
            ?? observation["code"]?["text"]?.stringValue ?? "?"
        var value = ""
        if let quantity = observation["valueQuantity"] {
            value = (quantity["comparator"]?.stringValue ?? "") + (quantity["value"]?.numberText ?? "")
                + " " + (quantity["unit"]?.stringValue ?? "")
        } else if let text = observation["valueString"]?.stringValue {
            value = "\"\(text)\""
        } else if let concept = observation["valueCodeableConcept"] {
            value = concept["coding"]?.arrayValue?.first?["code"]?.stringValue ?? concept["text"]?.stringValue ?? ""
        } else if let range = observation["valueRange"] {
            value = (range["low"]?["value"]?.numberText ?? "") + ".." + (range["high"]?["value"]?.numberText ?? "")
        }
        let ranges = (observation["referenceRange"]?.arrayValue ?? []).map { range in
            (range["low"]?["value"]?.numberText ?? "") + "-" + (range["high"]?["value"]?.numberText ?? "")
                + (range["text"]?.stringValue.map { " (\($0))" } ?? "")
        }.joined(separator: "; ")
        let interpretation = (observation["interpretation"]?.arrayValue ?? [])
            .compactMap { $0["coding"]?.arrayValue?.first?["code"]?.stringValue }.joined(separator: ",")
        return [code, value, ranges, interpretation].joined(separator: " | ")
    }
}
