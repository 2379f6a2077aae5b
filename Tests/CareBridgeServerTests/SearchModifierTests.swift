import FHIRCore
import Foundation
import Testing

/// Token and reference modifiers beyond the basic ones (https://hl7.org/fhir/R4/search.html#modifiers), and
/// `_summary`/`_elements` (https://hl7.org/fhir/R4/search.html#summary); expected results worked out by hand.
@Suite("Search modifiers and summaries")
struct SearchModifierTests {
    static let v20203 = "http://terminology.hl7.org/CodeSystem/v2-0203"

    /// m1: MR 123 (system urn:mrn), female, narrative, marital status; m2: DL 123, male; m3: no identifier type, no gender.
    /// Observations: s1 about Patient/m1 with identifier urn:mrn|123; s2 only an identifier urn:mrn|123 (no
    /// literal reference); s3 about Patient/m2 without identifier.
    static func load(_ hub: Hub) async throws {
        let mr = #"{"type":{"coding":[{"system":"\#(v20203)","code":"MR"}]},"system":"urn:mrn","value":"123"}"#
        let dl = #"{"type":{"coding":[{"system":"\#(v20203)","code":"DL"}]},"system":"urn:dl","value":"123"}"#
        let narrative = #""text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">m1</div>"}"#
        try await hub.store("/fhir/Patient/m1", #"{"resourceType":"Patient","id":"m1",\#(narrative),"identifier":[\#(mr)],"name":[{"family":"Ames"}],"gender":"female","maritalStatus":{"text":"married"}}"#)
        try await hub.store("/fhir/Patient/m2", #"{"resourceType":"Patient","id":"m2","identifier":[\#(dl)],"gender":"male"}"#)
        try await hub.store("/fhir/Patient/m3", #"{"resourceType":"Patient","id":"m3","identifier":[{"value":"123"}]}"#)
        let code = #""status":"final","code":{"text":"weight"}"#
        try await hub.store("/fhir/Observation/s1", #"{"resourceType":"Observation","id":"s1",\#(code),"subject":{"reference":"Patient/m1","identifier":{"system":"urn:mrn","value":"123"}}}"#)
        try await hub.store("/fhir/Observation/s2", #"{"resourceType":"Observation","id":"s2",\#(code),"subject":{"identifier":{"system":"urn:mrn","value":"123"}}}"#)
        try await hub.store("/fhir/Observation/s3", #"{"resourceType":"Observation","id":"s3",\#(code),"subject":{"reference":"Patient/m2"}}"#)
    }

    @Test("reference :identifier matches Reference.identifier, with or without a literal reference")
    func referenceIdentifier() async throws {
        try await Hub.run { hub in
            try await Self.load(hub)
            try await hub.expect("Observation?subject:identifier=urn:mrn|123", ["s1", "s2"])
            try await hub.expect("Observation?subject:identifier=123", ["s1", "s2"])
            try await hub.expect("Observation?subject:identifier=urn:dl|123", [])
            try await hub.expect("Observation?subject:identifier=urn:mrn|", ["s1", "s2"])
            try await hub.expect("Observation?subject=Patient/m1", ["s1"], "the identifier is not a reference")
            try await hub.expect("Observation?subject.identifier=urn:mrn|123", ["s1"], "chaining needs the target stored")
        }
    }

    @Test("token :of-type matches Identifier.type and value; :in and :not-in expand the hub's value sets")
    func tokenModifiers() async throws {
        try await Hub.run { hub in
            try await Self.load(hub)
            try await hub.expect("Patient?identifier:of-type=\(Self.v20203)|MR|123", ["m1"])
            try await hub.expect("Patient?identifier:of-type=\(Self.v20203)|DL|123,\(Self.v20203)|MR|123", ["m1", "m2"])
            try await hub.expect("Patient?identifier:of-type=\(Self.v20203)|MR|124", [])
            try await hub.expect("Patient?identifier:of-type=urn:other|MR|123", [])
            try await hub.get("/fhir/Patient?identifier:of-type=MR%7C123").expectError(400)
            try await hub.get("/fhir/Patient?identifier:of-type=%7C%7C123").expectError(400)

            let genders = "http://hl7.org/fhir/ValueSet/administrative-gender"
            try await hub.expect("Patient?gender:in=\(genders)", ["m1", "m2"])
            try await hub.expect("Patient?gender:not-in=\(genders)", ["m3"], "no gender at all is not in the set")
            try await hub.expect("Observation?status:in=http://hl7.org/fhir/ValueSet/observation-status", ["s1", "s2", "s3"])
            try await hub.expect("Observation?status:not-in=http://hl7.org/fhir/ValueSet/observation-status", [])
            try await hub.get("/fhir/Patient?gender:in=http://example.org/ValueSet/unknown").expectError(400, code: "not-supported")
            try await hub.get("/fhir/Patient?gender:above=male").expectError(400, code: "not-supported")
        }
    }

    @Test("_summary=true keeps isSummary elements, text keeps narrative and mandatory ones, on search and read")
    func summaries() async throws {
        try await Hub.run { hub in
            try await Self.load(hub)
            func members(_ query: String) async throws -> [String] {
                let reply = try await hub.get("/fhir/" + query)
                #expect(reply.status == 200, "\(query): \(reply.text)")
                let json = try reply.json
                let resource = query.contains("?_id") ? json.entries.first?["resource"] : json
                let tags = resource?["meta"]?["tag"]?.arrayValue ?? []
                #expect(tags.contains { $0["code"]?.stringValue == "SUBSETTED" }, "\(query) is not tagged SUBSETTED")
                return resource?.objectValue?.map { $0.0 } ?? []
            }
            let summary = try await members("Patient?_id=m1&_summary=true")
            #expect(Set(summary) == ["resourceType", "id", "meta", "identifier", "name", "gender"])
            #expect(Set(try await members("Patient/m1?_summary=true")) == Set(summary))
            #expect(Set(try await members("Patient?_id=m1&_summary=text")) == ["resourceType", "id", "meta", "text"])
            #expect(Set(try await members("Observation?_id=s1&_summary=text")) == ["resourceType", "id", "meta", "status", "code"])
            #expect(Set(try await members("Observation?_id=s1&_summary=true")) == ["resourceType", "id", "meta", "status", "code", "subject"])
            #expect(Set(try await members("Patient?_id=m1&_summary=data")) == ["resourceType", "id", "meta", "identifier", "name", "gender", "maritalStatus"])
            #expect(Set(try await members("Patient/m1?_elements=gender")) == ["resourceType", "id", "meta", "gender"])

            let whole = try await hub.get("/fhir/Patient/m1?_summary=false").json
            #expect(whole["maritalStatus"] != nil && whole["meta"]?["tag"] == nil)
            try await hub.get("/fhir/Patient/m1?_summary=count").expectError(400)
            try await hub.get("/fhir/Patient/m1?foo=bar").expectError(400)
            #expect(try await hub.get("/fhir/Patient/m1?foo=bar", headers: ["Prefer": "handling=lenient"]).status == 200)
        }
    }

    /// bp1: systolic 120, diastolic 80 mm[Hg]; bp2: systolic 140, diastolic 95; w1: weight 70 kg; g1: blood group A
    /// (a coded value); d1: a date value.
    static func composites(_ hub: Hub) async throws {
        func quantity(_ value: Int, _ unit: String) -> String {
            #"{"value":\#(value),"unit":"\#(unit)","system":"http://unitsofmeasure.org","code":"\#(unit)"}"#
        }
        func loinc(_ code: String) -> String { #"{"coding":[{"system":"http://loinc.org","code":"\#(code)"}]}"# }
        func bloodPressure(_ id: String, _ systolic: Int, _ diastolic: Int) -> String {
            #"{"resourceType":"Observation","id":"\#(id)","status":"final","code":\#(loinc("85354-9")),"component":[{"code":\#(loinc("8480-6")),"valueQuantity":\#(quantity(systolic, "mm[Hg]"))},{"code":\#(loinc("8462-4")),"valueQuantity":\#(quantity(diastolic, "mm[Hg]"))}]}"#
        }
        try await hub.store("/fhir/Observation/bp1", bloodPressure("bp1", 120, 80))
        try await hub.store("/fhir/Observation/bp2", bloodPressure("bp2", 140, 95))
        try await hub.store("/fhir/Observation/w1", #"{"resourceType":"Observation","id":"w1","status":"final","code":\#(loinc("29463-7")),"valueQuantity":\#(quantity(70, "kg"))}"#)
        try await hub.store("/fhir/Observation/g1", #"{"resourceType":"Observation","id":"g1","status":"final","code":\#(loinc("883-9")),"valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"112144000"}]}}"#)
        try await hub.store("/fhir/Observation/d1", #"{"resourceType":"Observation","id":"d1","status":"final","code":\#(loinc("21112-8")),"valueDateTime":"1980-03-04"}"#)
    }

    @Test("composite parameters match both parts in the same element: component, combo and value composites")
    func composite() async throws {
        try await Hub.run { hub in
            try await Self.composites(hub)
            let component = "Observation?component-code-value-quantity="
            try await hub.expect(component + "http://loinc.org|8480-6$gt130", ["bp2"])
            try await hub.expect(component + "8480-6$lt130", ["bp1"])
            try await hub.expect(component + "http://loinc.org|8462-4$gt130", [], "140 is the systolic value, not the diastolic")
            try await hub.expect(component + "8480-6$gt130,8462-4$lt85", ["bp1", "bp2"])
            try await hub.expect(component + "8480-6$gt130&component-code-value-quantity=8462-4$gt90", ["bp2"])
            try await hub.expect(component + "urn:other|8480-6$gt0", [])
            try await hub.expect("Observation?code-value-quantity=http://loinc.org|29463-7$70|http://unitsofmeasure.org|kg", ["w1"])
            try await hub.expect("Observation?code-value-quantity=29463-7$gt100", [])
            try await hub.expect("Observation?code-value-quantity=85354-9$gt0", [], "the panel itself has no value")
            try await hub.expect("Observation?combo-code-value-quantity=8480-6$120", ["bp1"])
            try await hub.expect("Observation?combo-code-value-quantity=29463-7$ge70", ["w1"])
            try await hub.expect("Observation?code-value-concept=http://loinc.org|883-9$http://snomed.info/sct|112144000", ["g1"])
            try await hub.expect("Observation?code-value-concept=883-9$112144000", ["g1"])
            try await hub.expect("Observation?code-value-date=21112-8$1980", ["d1"])
            try await hub.expect("Observation?code-value-date=21112-8$gt1981", [])

            try await hub.get("/fhir/Observation?component-code-value-quantity=8480-6").expectError(400)
            try await hub.get("/fhir/Observation?component-code-value-quantity=http://loinc.org%7C$1").expectError(400)
            try await hub.get("/fhir/Observation?code-value-quantity:missing=true").expectError(400, code: "not-supported")
        }
    }
}
