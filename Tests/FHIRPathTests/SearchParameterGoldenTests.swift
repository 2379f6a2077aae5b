import FHIRCore
import FHIRPath
import Foundation
import Testing

/// Files shared beside the repository (`../shared/fhir-r4`), read at test time and never copied.
enum SharedFHIR {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let root = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/fhir-r4")
    static let examples = root.appendingPathComponent("examples")
    static var available: Bool { FileManager.default.fileExists(atPath: examples.path) }

    static func json(at url: URL) throws -> JSONValue {
        try JSONParser().parse(Array(try Data(contentsOf: url)))
    }

    /// What fhirpathpy gave for each SearchParameter expression on each official example, by example file name
    /// (`Golden/searchparameter-results.json`, written by `scripts/fhirpath-golden`).
    static func goldenResults() throws -> JSONObject {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Golden/searchparameter-results.json")
        return try #require(try json(at: url)["results"]?.objectValue)
    }
}

/// Compares this evaluator with fhirpathpy on every R4 SearchParameter expression of the served types,
/// evaluated on every official example of that type (`scripts/fhirpath-golden` wrote the expected results).
///
/// Deliberate differences, and why:
/// - `resolve()`: fhirpathpy has none; the script gives it the same database-free rule as ours (`#id` is the
///   contained resource, a literal reference `Type/id` a stub resource of that type), so results compare directly.
/// - `Resource.id`, `Resource.meta...`: fhirpathpy does not take a Patient as a `Resource` for a leading type
///   name and returns nothing; the spec says it is one, so the script evaluates those with the concrete type.
/// - `|` de-duplicates by FHIRPath equality, under which `1.0 = 1.00`; fhirpathpy keeps elements that differ
///   only in decimal text (Observation-decimal's components), so its items are de-duplicated by value first.
/// - `x as T` on a collection of several items: fhirpathpy raises an error (the spec calls for one);
///   we filter like `ofType(T)`, because R4 search expressions such as
///   `(Observation.component.value as Quantity)` need exactly that. Those evaluations are skipped.
/// - Objects compare regardless of member order, numbers by value (the script sorts keys and fhirpathpy
///   may rewrite `1.50` as `1.5`); our own results keep the resource's order and number text.
@Suite("FHIRPath: SearchParameter expressions against fhirpathpy")
struct SearchParameterGoldenTests {
    @Test("same results as fhirpathpy on the official examples",
          .enabled(if: SharedFHIR.available, "../shared/fhir-r4 is absent: golden comparison skipped"))
    func matchesFhirpathpy() throws {
        let golden = try SharedFHIR.goldenResults()
        var compared = 0, skipped = 0
        var mismatches: [String] = []
        var parsed: [String: FHIRPathExpression] = [:]
        for (file, expectations) in golden {
            let url = SharedFHIR.examples.appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let resource = try SharedFHIR.json(at: url)
            for (text, expected) in try #require(expectations.objectValue) {
                guard case .array(let expectedItems) = expected else {
                    skipped += 1  // fhirpathpy raised an error (see the list above)
                    continue
                }
                let expression = try parsed[text] ?? FHIRPathExpression(text)
                parsed[text] = expression
                let actual = try expression.evaluate(on: resource).map(\.json)
                compared += 1
                if !Self.sameItems(actual, expectedItems), !Self.sameItems(actual, Self.distinct(expectedItems)) {
                    mismatches.append("\(file) \(text)\n  ours:       \(JSONWriter.string(.array(actual)).prefix(300))"
                        + "\n  fhirpathpy: \(JSONWriter.string(expected).prefix(300))")
                }
            }
        }
        print("FHIRPath golden: \(compared) evaluations compared, \(skipped) skipped, \(mismatches.count) mismatches")
        for mismatch in mismatches { print("golden mismatch: " + mismatch) }
        #expect(compared > 5000)
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.prefix(20).joined(separator: "\n"))")
    }

    static func distinct(_ items: [JSONValue]) -> [JSONValue] {
        var result: [JSONValue] = []
        for item in items where !result.contains(where: { same($0, item) }) { result.append(item) }
        return result
    }

    static func sameItems(_ actual: [JSONValue], _ expected: [JSONValue]) -> Bool {
        actual.count == expected.count && zip(actual, expected).allSatisfy { same($0, $1) }
    }

    static func same(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.number(let x), .number(let y)):
            return Decimal(string: x, locale: nil) == Decimal(string: y, locale: nil)
        case (.array(let x), .array(let y)):
            return sameItems(x, y)
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { same(value, $0) } ?? false }
        default:
            return lhs == rhs
        }
    }
}
