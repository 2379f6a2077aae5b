import FHIRCore
import Foundation
import HTTPTypes
import PostgresNIO
import Testing

/// The search engine over HTTP, per parameter type, prefix and modifier, with expected ids worked out by hand
/// from https://hl7.org/fhir/R4/search.html. Resources are written through the hub, which indexes them.
@Suite("Search engine")
struct SearchEngineTests {
    /// Patients: p1 Chalmers 1974-12-25 male urn:mrn|1; p2 Chalmerson 1970-05-12 female urn:other|1;
    /// p3 Müller 1970 (year only) female X9 (no system), profile .../p; p4 Smith, nothing else; p5 1971-01-01 male.
    /// p1 also has the tag urn:tags|vip and the security label R.
    static func patients(_ hub: Hub) async throws {
        let bodies = [
            "p1": #""meta":{"tag":[{"system":"urn:tags","code":"vip"}],"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]},"name":[{"family":"Chalmers"}],"birthDate":"1974-12-25","gender":"male","identifier":[{"system":"urn:mrn","value":"1"}]"#,
            "p2": #""name":[{"family":"Chalmerson"}],"birthDate":"1970-05-12","gender":"female","identifier":[{"system":"urn:other","value":"1"}]"#,
            "p3": #""meta":{"profile":["http://example.org/StructureDefinition/p"]},"name":[{"family":"Müller"}],"birthDate":"1970","gender":"female","identifier":[{"value":"X9"}]"#,
            "p4": #""name":[{"family":"Smith"}]"#,
            "p5": #""birthDate":"1971-01-01","gender":"male""#,
        ]
        for (id, body) in bodies.sorted(by: { $0.key < $1.key }) {
            try await hub.store("/fhir/Patient/\(id)", #"{"resourceType":"Patient","id":"\#(id)",\#(body)}"#)
        }
    }

    @Test("string: prefix, accents and case, :exact, :contains, OR and AND, LIKE characters")
    func strings() async throws {
        try await Hub.run { hub in
            try await Self.patients(hub)
            try await hub.expect("Patient?family=chal", ["p1", "p2"])
            try await hub.expect("Patient?family=CHALMERS", ["p1", "p2"])
            try await hub.expect("Patient?family=mu", ["p3"])
            try await hub.expect("Patient?family=M%C3%9CLL", ["p3"])
            try await hub.expect("Patient?family:exact=Chalmers", ["p1"])
            try await hub.expect("Patient?family:exact=chalmers", [])
            try await hub.expect("Patient?family:contains=ALM", ["p1", "p2"])
            try await hub.expect("Patient?family=chal,smi", ["p1", "p2", "p4"])
            try await hub.expect("Patient?family=chal&family=chalmerso", ["p2"])
            try await hub.expect("Patient?family=%25", [])
            try await hub.expect("Patient?family=_", [])
            try await hub.expect("Patient?family:missing=true", ["p5"])
        }
    }

    @Test("date: precision ranges and every prefix")
    func dates() async throws {
        try await Hub.run { hub in
            try await Self.patients(hub)
            try await hub.expect("Patient?birthdate=1970", ["p2", "p3"])
            try await hub.expect("Patient?birthdate=eq1970-05", ["p2"])
            try await hub.expect("Patient?birthdate=1970-05-12", ["p2"])
            try await hub.expect("Patient?birthdate=ne1970", ["p1", "p5"])
            try await hub.expect("Patient?birthdate=gt1970", ["p1", "p5"])
            try await hub.expect("Patient?birthdate=ge1971", ["p1", "p5"])
            try await hub.expect("Patient?birthdate=lt1971", ["p2", "p3"])
            try await hub.expect("Patient?birthdate=le1970-05-12", ["p2", "p3"])
            try await hub.expect("Patient?birthdate=sa1970", ["p1", "p5"])
            try await hub.expect("Patient?birthdate=eb1971", ["p2", "p3"])
            try await hub.expect("Patient?birthdate=ap1974-12-25", ["p1", "p2", "p3", "p5"])
            try await hub.expect("Patient?birthdate=1971-01-01,1974", ["p1", "p5"])
            try await hub.expect("Patient?birthdate=ge1970&birthdate=lt1971", ["p2", "p3"])
            try await hub.expect("Patient?birthdate:missing=true", ["p4"])
            try await hub.expect("Patient?birthdate:missing=false", ["p1", "p2", "p3", "p5"])
            try await hub.expect("Patient?_lastUpdated=gt2000-01-01", ["p1", "p2", "p3", "p4", "p5"])
            try await hub.expect("Patient?_lastUpdated=lt2000", [])
        }
    }

    @Test("token: code, system|code, |code, system|, :not, :missing; _id, _tag, _security; uri _profile :below/:above")
    func tokens() async throws {
        try await Hub.run { hub in
            try await Self.patients(hub)
            try await hub.expect("Patient?gender=male", ["p1", "p5"])
            try await hub.expect("Patient?gender=female,male", ["p1", "p2", "p3", "p5"])
            try await hub.expect("Patient?gender=urn:wrong|female", [])
            // A `code` element's system is that of its required binding (search.html#token), so it never lacks one.
            try await hub.expect("Patient?gender=http://hl7.org/fhir/administrative-gender|female", ["p2", "p3"])
            try await hub.expect("Patient?gender=http://hl7.org/fhir/administrative-gender|", ["p1", "p2", "p3", "p5"])
            try await hub.expect("Patient?gender=|female", [])
            try await hub.expect("Patient?gender:not=male", ["p2", "p3", "p4"])
            try await hub.expect("Patient?gender:missing=true", ["p4"])
            try await hub.expect("Patient?identifier=1", ["p1", "p2"])
            try await hub.expect("Patient?identifier=urn:mrn|1", ["p1"])
            try await hub.expect("Patient?identifier=%7CX9", ["p3"])
            try await hub.expect("Patient?identifier=|1", [])
            try await hub.expect("Patient?identifier=urn:other|", ["p2"])
            try await hub.expect("Patient?_id=p1,p3", ["p1", "p3"])
            try await hub.expect("Patient?_tag=urn:tags|vip", ["p1"])
            try await hub.expect("Patient?_tag:not=vip", ["p2", "p3", "p4", "p5"])
            try await hub.expect("Patient?_security=R", ["p1"])
            try await hub.expect("Patient?_profile=http://example.org/StructureDefinition/p", ["p3"])
            try await hub.expect("Patient?_profile=http://example.org/StructureDefinition", [])
            try await hub.expect("Patient?_profile:below=http://example.org/StructureDefinition", ["p3"])
            try await hub.expect("Patient?_profile:above=http://example.org/StructureDefinition/p/v2", ["p3"])
            try await hub.expect("Patient?_profile:above=http://example.org/StructureDefinition", [])
        }
    }

    /// Observations: o1 5.4 mg of p1 at 2026-11-20T10:15:30Z; o2 100 mg of p2; o3 99.6 mg about an absolute
    /// URL; o4 no subject. ChargeItems c1 factor 0.5, c2 1.25.
    static func observations(_ hub: Hub) async throws {
        let subjects = ["o1": "Patient/p1", "o2": "Patient/p2", "o3": "http://other.example/fhir/Patient/9"]
        let values = ["o1": "5.4", "o2": "100", "o3": "99.6"]
        let weight = #"{"coding":[{"system":"http://loinc.org","code":"29463-7","display":"Body Weight"}],"text":"weight"}"#
        for id in ["o1", "o2", "o3", "o4"] {
            var members = [#""code":\#(id == "o4" ? #"{"text":"Heart rate"}"# : weight)"#]
            if let subject = subjects[id] { members.append(#""subject":{"reference":"\#(subject)"}"#) }
            if let value = values[id] {
                members.append(#""valueQuantity":{"value":\#(value),"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"}"#)
            }
            if id == "o1" { members.append(#""effectiveDateTime":"2026-11-20T10:15:30Z""#) }
            let body = #"{"resourceType":"Observation","id":"\#(id)","status":"final",\#(members.joined(separator: ","))}"#
            try await hub.store("/fhir/Observation/\(id)", body)
        }
        for (id, factor) in [("c1", "0.5"), ("c2", "1.25")] {
            let body = #"{"resourceType":"ChargeItem","id":"\#(id)","status":"billable","code":{"text":"x"},"subject":{"reference":"Patient/p1"},"factorOverride":\#(factor)}"#
            try await hub.store("/fhir/ChargeItem/\(id)", body)
        }
    }

    @Test("chained parameters (subject:Patient.family, subject.family, chained _id) and _has; deleted targets")
    func chains() async throws {
        try await Hub.run { hub in
            try await Self.patients(hub)
            try await Self.observations(hub)
            try await hub.expect("Observation?subject:Patient.family=chal", ["o1", "o2"])
            try await hub.expect("Observation?subject.family=chalmerso", ["o2"])
            try await hub.expect("Observation?subject.family:exact=Chalmers", ["o1"])
            try await hub.expect("Observation?patient.birthdate=1970", ["o2"])
            try await hub.expect("Observation?subject.gender=male", ["o1"])
            try await hub.expect("Observation?subject:Patient._id=p1", ["o1"])
            try await hub.expect("Observation?subject.family=chal&subject.gender=female", ["o2"])
            try await hub.expect("Patient?_has:Observation:patient:code=http://loinc.org|29463-7", ["p1", "p2"])
            try await hub.expect("Patient?_has:Observation:subject:value-quantity=gt50", ["p2"])
            try await hub.expect("Patient?_has:Observation:subject:_id=o1", ["p1"])
            try await hub.expect("Patient?_has:Observation:subject:code:text=heart", [], "o4 has no subject")
            try await hub.expect("Patient?_has:ChargeItem:subject:factor-override=0.5&gender=male", ["p1"])
            #expect(try await hub.delete("/fhir/Patient/p2").status == 204)
            try await hub.expect("Observation?subject.family=chalmerso", [], "a deleted target no longer matches")
            #expect(try await hub.delete("/fhir/Observation/o1").status == 204)
            try await hub.expect("Patient?_has:Observation:patient:code=http://loinc.org|29463-7", [], "nor a deleted source")
        }
    }

    @Test("_include (with a target type and *), _revinclude, :iterate")
    func includes() async throws {
        try await Hub.run { hub in
            try await Self.patients(hub)
            try await Self.observations(hub)
            let included = try await hub.get("/fhir/Observation?_id=o1,o2,o4&_include=Observation:subject").json
            let modes = Dictionary(included.entries.compactMap { entry in
                entry.string("resource.id").map { ($0, entry.string("search.mode") ?? "") }
            }, uniquingKeysWith: { first, _ in first })
            #expect(modes == ["o1": "match", "o2": "match", "o4": "match", "p1": "include", "p2": "include"])
            #expect(included["total"] == .number("3"), "included resources do not count")
            try await hub.expect("Observation?_id=o1&_include=Observation:subject:Device", ["o1"])
            try await hub.expect("Observation?_id=o1&_include=*", ["o1", "p1"], "subject and patient both name p1: once")
            try await hub.expect("Patient?_id=p1&_revinclude=Observation:subject", ["p1", "o1"])
            try await hub.expect("Patient?_id=p1&_revinclude=Observation:subject:Group", ["p1"])
            try await hub.expect("Patient?_id=p1,p4&_revinclude=Observation:subject&_revinclude=ChargeItem:subject", ["p1", "p4", "o1", "c1", "c2"])
            try await hub.expect(
                "ChargeItem?_id=c1&_include=ChargeItem:subject&_revinclude:iterate=Observation:patient", ["c1", "p1", "o1"]
            )
            try await hub.expect("ChargeItem?_id=c1&_include=ChargeItem:subject&_revinclude=Observation:patient", ["c1", "p1"])
        }
    }

    @Test("_summary=count, data and false; _elements")
    func summaries() async throws {
        try await Hub.run { hub in
            try await Self.patients(hub)
            let counted = try await hub.get("/fhir/Patient?gender=female&_summary=count").json
            #expect(counted["total"] == .number("2") && counted.entries.isEmpty)
            let trimmed = try await hub.get("/fhir/Patient?_id=p1&_elements=gender,name").json
            let resource = try #require(trimmed.entries.first?["resource"])
            #expect(resource["gender"]?.stringValue == "male" && resource["name"] != nil && resource["id"] != nil)
            #expect(resource["birthDate"] == nil && resource["identifier"] == nil)
            #expect(resource.string("meta.tag.0.code") == "vip" && resource.string("meta.tag.1.code") == "SUBSETTED")
            try await hub.store("/fhir/Patient/n1", #"{"resourceType":"Patient","id":"n1","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">N</div>"},"gender":"other"}"#)
            let data = try await hub.get("/fhir/Patient?_id=n1&_summary=data").json.entries.first?["resource"]
            #expect(data?["text"] == nil && data?["gender"]?.stringValue == "other")
            #expect(data?.string("meta.tag.0.code") == "SUBSETTED")
            let whole = try await hub.get("/fhir/Patient?_id=n1&_summary=false").json.entries.first?["resource"]
            #expect(whole?["text"] != nil && whole?["meta"]?["tag"] == nil)
        }
    }

    @Test("Patient compartment search: GET /Patient/[id]/[type] with further criteria")
    func compartments() async throws {
        try await Hub.run { hub in
            try await Self.patients(hub)
            try await Self.observations(hub)
            try await hub.expect("Patient/p1/Observation", ["o1"])
            try await hub.expect("Patient/p2/Observation?code=http://loinc.org|29463-7", ["o2"])
            try await hub.expect("Patient/p2/Observation?code:text=heart", [])
            try await hub.expect("Patient/p1/ChargeItem?factor-override=gt1", ["c2"])
            try await hub.expect("Patient/p1/Patient", ["p1"])
            let page = try await hub.get("/fhir/Patient/p1/ChargeItem?_count=1").json
            #expect(page.link("next")?.hasPrefix("\(Hub.base)/Patient/p1/ChargeItem?") == true)
            try await hub.get("/fhir/Patient/p1/Slot").expectError(400)
            try await hub.get("/fhir/Encounter/e1/Observation").expectError(400)
            try await hub.get("/fhir/Patient/p1/Nothing").expectError(404)
        }
    }

    @Test("quantity and number: implicit precision, prefixes, system and unit")
    func quantities() async throws {
        try await Hub.run { hub in
            try await Self.observations(hub)
            try await hub.expect("Observation?value-quantity=5.4", ["o1"])
            try await hub.expect("Observation?value-quantity=100", ["o2", "o3"])
            try await hub.expect("Observation?value-quantity=100.0", ["o2"])
            try await hub.expect("Observation?value-quantity=1e2", ["o2", "o3"])
            try await hub.expect("Observation?value-quantity=ne100", ["o1"])
            try await hub.expect("Observation?value-quantity=gt99.6", ["o2"])
            try await hub.expect("Observation?value-quantity=ge99.6", ["o2", "o3"])
            try await hub.expect("Observation?value-quantity=lt10", ["o1"])
            try await hub.expect("Observation?value-quantity=le5.4", ["o1"])
            try await hub.expect("Observation?value-quantity=ap92", ["o2", "o3"])
            try await hub.expect("Observation?value-quantity=5.4|http://unitsofmeasure.org|mg", ["o1"])
            try await hub.expect("Observation?value-quantity=5.4||mg", ["o1"])
            try await hub.expect("Observation?value-quantity=5.4|http://unitsofmeasure.org|g", [])
            try await hub.expect("ChargeItem?factor-override=0.5", ["c1"])
            try await hub.expect("ChargeItem?factor-override=1.3", ["c2"], "1.3 covers [1.25, 1.35)")
            try await hub.expect("ChargeItem?factor-override=1.2", [], "1.2 covers [1.15, 1.25), without 1.25")
            try await hub.expect("ChargeItem?factor-override=gt0.5", ["c2"])
            try await hub.expect("ChargeItem?factor-override=le1.25", ["c1", "c2"])
        }
    }

    @Test("reference: Type/id, id, :Type, absolute URLs, :missing; token :text and system; dateTime with seconds")
    func references() async throws {
        try await Hub.run { hub in
            try await Self.observations(hub)
            try await hub.expect("Observation?subject=Patient/p1", ["o1"])
            try await hub.expect("Observation?subject=p1", ["o1"])
            try await hub.expect("Observation?patient=p2", ["o2"])
            try await hub.expect("Observation?subject:Patient=p2", ["o2"])
            try await hub.expect("Observation?subject:Device=p2", [])
            try await hub.expect("Observation?subject=\(Hub.base)/Patient/p1", ["o1"])
            try await hub.expect("Observation?subject=http://other.example/fhir/Patient/9", ["o3"])
            try await hub.expect("Observation?subject=Patient/p1,Patient/p2", ["o1", "o2"])
            try await hub.expect("Observation?subject:missing=true", ["o4"])
            try await hub.expect("Observation?code=http://loinc.org|29463-7", ["o1", "o2", "o3"])
            try await hub.expect("Observation?code=|29463-7", [])
            try await hub.expect("Observation?code:text=BODY", ["o1", "o2", "o3"])
            try await hub.expect("Observation?code:text=heart", ["o4"])
            try await hub.expect("Observation?date=2026-11-20T10:15:30Z", ["o1"])
            try await hub.expect("Observation?date=2026-11-20T10:15:31Z", [])
            try await hub.expect("Observation?date=2026-11-20", ["o1"])
            try await hub.expect("Observation?date=gt2026-11-20T10:15:30Z", [])
            try await hub.expect("Observation?date=ge2026-11-20T10:15:30Z", ["o1"])
        }
    }

    @Test("_sort on several keys, _count paging with links, _total")
    func sortingAndPaging() async throws {
        try await Hub.run { hub in
            try await Self.patients(hub)
            try await hub.expect("Patient?_sort=birthdate", ["p3", "p2", "p5", "p1", "p4"], ordered: true)
            try await hub.expect("Patient?_sort=-birthdate", ["p1", "p5", "p3", "p2", "p4"], ordered: true)
            try await hub.expect("Patient?_sort=family", ["p1", "p2", "p3", "p4", "p5"], ordered: true)
            try await hub.expect("Patient?_sort=gender,-_id", ["p3", "p2", "p5", "p1", "p4"], ordered: true)
            try await hub.expect("Patient?_sort=-_id", ["p5", "p4", "p3", "p2", "p1"], ordered: true)

            var url: String? = "/fhir/Patient?_sort=family&_count=2&_total=accurate"
            var seen: [String] = []
            var previous: [String?] = []
            while let next = url {
                let page = try await hub.get(next).json
                #expect(page["total"] == .number("5"))
                #expect(page.link("self") != nil)
                previous.append(page.link("previous"))
                seen += page.entries.compactMap { $0.string("resource.id") }
                url = Sample.path(of: page.link("next"))
            }
            #expect(seen == ["p1", "p2", "p3", "p4", "p5"])
            #expect(previous.first == .some(nil) && previous.dropFirst().allSatisfy { $0 != nil })
            let counted = try await hub.get("/fhir/Patient?gender=male&_count=0&_total=accurate").json
            #expect(counted["total"] == .number("2") && counted.entries.isEmpty)
            #expect(try await hub.get("/fhir/Patient?_count=2").json["total"] == nil, "_total=none by default")
        }
    }
}
