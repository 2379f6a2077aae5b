import FHIRCore
@testable import FHIRProfiles
import Testing

/// Composite parameters indexed as their value part under `code$system|code` and `code$*|code`, and the
/// modifier rows for `:of-type` and `:identifier`; expected rows written by hand.
@Suite("Composite and modifier index rows")
struct CompositeIndexTests {
    func entries(_ json: String) throws -> SearchIndexEntries {
        let extractor = try SearchIndexExtractor(registry: TestSupport.registry.get())
        let entries = extractor.entries(for: try TestSupport.resource(json))
        #expect(entries.failures.isEmpty)
        return entries
    }

    @Test("each component's value is tied to that component's code, not to the other component's")
    func components() throws {
        let rows = try entries(#"""
            {"resourceType":"Observation","status":"final","code":{"text":"BP"},"component":[
             {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":120,"code":"mm[Hg]"}},
             {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":80,"code":"mm[Hg]"}}]}
            """#).quantities
        let component = rows.filter { $0.number.parameter.hasPrefix("component-code-value-quantity$") }
            .map { "\($0.number.parameter)=\($0.number.value)" }.sorted()
        #expect(component == [
            "component-code-value-quantity$*|8462-4=80", "component-code-value-quantity$*|8480-6=120",
            "component-code-value-quantity$http://loinc.org|8462-4=80", "component-code-value-quantity$http://loinc.org|8480-6=120",
        ])
        #expect(!rows.contains { $0.number.parameter.hasPrefix("code-value-quantity$") }, "the panel has no value of its own")
        #expect(rows.filter { $0.number.parameter.hasPrefix("combo-code-value-quantity$") }.count == 4)
    }

    @Test("a coded value; DocumentReference relationship, whose R4 definition swaps its parts, is not indexed")
    func codedAndImplicit() throws {
        let observation = try entries(#"""
            {"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"883-9"}]},
             "valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"112144000"}]}}
            """#).tokens.filter { $0.parameter.hasPrefix("code-value-concept$") }
        #expect(Set(observation.map { "\($0.parameter)=\($0.system)|\($0.code)" }) == [
            "code-value-concept$http://loinc.org|883-9=http://snomed.info/sct|112144000",
            "code-value-concept$*|883-9=http://snomed.info/sct|112144000",
        ])
        // R4's DocumentReference `relationship` names its parts the wrong way round (relatesto, a reference, for
        // relatesTo.code), so it is not a token and a value and is left out rather than indexed wrongly.
        let document = try entries(#"""
            {"resourceType":"DocumentReference","status":"current","content":[{"attachment":{"url":"http://x/1"}}],
             "relatesTo":[{"code":"replaces","target":{"reference":"DocumentReference/old"}}]}
            """#)
        #expect(!document.references.contains { $0.parameter.hasPrefix("relationship") })
    }

    @Test("Identifier types give :of-type rows; Reference.identifier gives :identifier rows")
    func modifierRows() throws {
        let tokens = try entries(#"""
            {"resourceType":"Observation","status":"final","code":{"text":"x"},
             "identifier":[{"type":{"coding":[{"system":"urn:types","code":"FILL"}]},"system":"urn:ids","value":"42"}],
             "subject":{"reference":"Patient/1","identifier":{"system":"urn:mrn","value":"7"}}}
            """#).tokens
        #expect(tokens.contains(.init(parameter: "identifier:of-type", system: "urn:types", code: "FILL|42")))
        #expect(tokens.contains(.init(parameter: "subject:identifier", system: "urn:mrn", code: "7")))
        #expect(tokens.contains(.init(parameter: "patient:identifier", system: "urn:mrn", code: "7")))
    }
}

/// Which search parameters have at most one value per resource (for testing repeated date clauses together).
@Suite("Single-valued search parameters")
struct SingleValuedParameterTests {
    @Test("a path of single elements, and alternatives of one choice element, are single-valued; repeating paths are not",
          arguments: [
            ("Patient", "birthdate", true), ("Observation", "date", true), ("Encounter", "date", true),
            ("Observation", "value-quantity", true), ("Slot", "start", true), ("Encounter", "location-period", false),
            ("Patient", "name", false), ("Observation", "code", true), ("Patient", "identifier", false),
          ])
    func singleValued(_ type: String, _ code: String, _ expected: Bool) throws {
        let registry = try TestSupport.registry.get()
        let definition = try #require(registry.searchParameter(code, for: type))
        #expect(registry.isSingleValued(definition, for: type) == expected)
    }
}
