import FHIRCore
import Foundation
import HTTPTypes
import Testing

/// Hostile values in every kind of search parameter, in parameter names, modifiers, `_sort`, `_include`,
/// chains, `_has`, the path and POST bodies are harmless: each request answers 200 with no more than what a
/// value that matches nothing gives, or 400 with an OperationOutcome; never 500, never a leak of the database
/// or the code; and the data is intact afterwards.
@Suite("Injection")
struct InjectionTests {
    /// Where a payload goes: `@` in the query (name or value) of a search on `type`.
    struct Form: Sendable, CustomStringConvertible {
        let path: String
        let query: String

        init(_ path: String, _ query: String) {
            self.path = path
            self.query = query
        }

        func uri(_ value: String) -> String {
            "/fhir/\(path)?" + query.replacingOccurrences(of: "|", with: "%7C").replacingOccurrences(of: "@", with: value)
        }
        var description: String { "\(path)?\(query)" }
    }

    /// A value of the same shape that matches nothing, to compare every payload with.
    static let harmless = "qqzz"

    static let forms: [Form] = [
        // string
        Form("Patient", "family=@"), Form("Patient", "family:exact=@"), Form("Patient", "family:contains=@"),
        Form("Patient", "name=@"), Form("Patient", "address=@"), Form("Patient", "family:missing=@"),
        Form("Patient", "family=Chalmers,@"),
        // token
        Form("Patient", "identifier=@"), Form("Patient", "identifier=@|@"), Form("Patient", "identifier=urn:test:mrn|@"),
        Form("Patient", "identifier=|@"), Form("Patient", "identifier=@|"), Form("Patient", "gender=@"),
        Form("Patient", "gender:not=@"), Form("Patient", "identifier:text=@"), Form("Patient", "identifier:of-type=@"),
        Form("Patient", "_tag=@"), Form("Patient", "_security=@"), Form("Patient", "active=@"),
        // reference
        Form("Patient", "general-practitioner=@"), Form("Patient", "general-practitioner=Practitioner/@"),
        Form("Patient", "general-practitioner=@/dr1"), Form("Patient", "general-practitioner=http://other.example/fhir/Practitioner/@"),
        Form("Patient", "general-practitioner:Practitioner=@"), Form("Patient", "general-practitioner:identifier=@"),
        Form("Observation", "subject=@"), Form("Observation", "subject:missing=@"),
        // date
        Form("Patient", "birthdate=@"), Form("Patient", "birthdate=ge@"), Form("Patient", "birthdate=1974-12-25@"),
        Form("Observation", "date=lt@"),
        // number
        Form("ChargeItem", "factor-override=@"), Form("ChargeItem", "factor-override=gt@"), Form("ChargeItem", "factor-override=0.8@"),
        // quantity
        Form("Observation", "value-quantity=@"), Form("Observation", "value-quantity=5.4|@|mg"),
        Form("Observation", "value-quantity=5.4|http://unitsofmeasure.org|@"), Form("Observation", "value-quantity=@||mg"),
        // uri
        Form("Patient", "_profile=@"), Form("Patient", "_profile:below=@"), Form("Patient", "_profile:above=@"),
        Form("Patient", "_source=@"),
        // composite
        Form("Observation", "code-value-quantity=@"), Form("Observation", "code-value-quantity=@$@"),
        Form("Observation", "code-value-quantity=http://loinc.org|2345-7$@"), Form("Observation", "code-value-quantity=@$5.4"),
        // special and result parameters
        Form("Patient", "_id=@"), Form("Patient", "_id=p1,@"), Form("Patient", "_lastUpdated=@"), Form("Patient", "_lastUpdated=ge@"),
        Form("Patient", "_text=@"), Form("Patient", "_content=@"), Form("Patient", "_filter=@"), Form("Location", "near=@"),
        Form("Patient", "_list=@"), Form("Patient", "_query=@"), Form("Patient", "_count=@"), Form("Patient", "_offset=@"),
        Form("Patient", "_total=@"), Form("Patient", "_summary=@"), Form("Patient", "_elements=@"),
        // chains
        Form("Observation", "subject:Patient.family=@"), Form("Observation", "subject.name=@"),
        Form("Observation", "subject:Patient.@=x"), Form("Observation", "subject:@.family=x"), Form("Observation", "@.family=x"),
        Form("Observation", "subject:Patient.general-practitioner:Practitioner.name=@"),
        // reverse chains
        Form("Patient", "_has:Observation:subject:code=@"), Form("Patient", "_has:@:subject:code=x"),
        Form("Patient", "_has:Observation:@:code=x"), Form("Patient", "_has:Observation:subject:@=x"),
        // sort and include
        Form("Patient", "_sort=@"), Form("Patient", "_sort=-@"), Form("Patient", "_sort=family,@"),
        Form("Patient", "_include=@"), Form("Patient", "_include=Patient:@"), Form("Patient", "_include=@:general-practitioner"),
        Form("Patient", "_include=Patient:general-practitioner:@"), Form("Patient", "_include:iterate=@"),
        Form("Patient", "_revinclude=@"), Form("Patient", "_revinclude=Observation:@"),
        // names and modifiers
        Form("Patient", "@=x"), Form("Patient", "family:@=x"), Form("Patient", "identifier:@=x"), Form("Patient", "birthdate:@=1974"),
        // compartments, $everything, history
        Form("Patient/p1/Observation", "code=@"), Form("Patient/p1/$everything", "_type=@"),
        Form("Patient/p1/$everything", "_since=@"), Form("Patient/p1/$everything", "start=@"),
        Form("Patient/_history", "_since=@"), Form("_history", "_count=@"),
    ]

    @Test("every search parameter type, name, modifier, chain, _has, _sort and _include, against every payload")
    func searchParameters() async throws {
        try await Hub.run { hub in
            try await Self.seed(hub)
            let before = try await Self.snapshot(hub)
            var failures: [String] = []
            for form in Self.forms {
                let baseline = try await Self.outcome(of: hub.get(form.uri(Self.harmless)))
                for payload in InjectionPayload.all {
                    let reply = try await hub.get(form.uri(payload.encoded))
                    if let problem = Self.problem(with: reply, baseline: baseline) {
                        failures.append("\(form) with \(payload): \(problem)")
                    }
                }
            }
            #expect(failures.isEmpty, "\(failures.count) failures:\n\(failures.prefix(40).joined(separator: "\n"))")
            #expect(try await Self.snapshot(hub) == before)
        }
    }

    @Test("payloads in the path (type, id, version, compartment) answer 400, 404, 405 or an empty Bundle, never 500")
    func pathSegments() async throws {
        try await Hub.run { hub in
            try await Self.seed(hub)
            let before = try await Self.snapshot(hub)
            var failures: [String] = []
            for payload in InjectionPayload.all {
                let value = payload.encoded
                for uri in [
                    "/fhir/\(value)", "/fhir/Patient/\(value)", "/fhir/Patient/p1/_history/\(value)",
                    "/fhir/Patient/\(value)/_history", "/fhir/Patient/\(value)/Observation", "/fhir/Patient/\(value)/$everything",
                    "/fhir/\(value)/p1", "/fhir/Patient/p1/\(value)",
                ] {
                    let reply = try await hub.get(uri)
                    let empty = reply.status == 200 && (try? Self.matches(reply).isEmpty) == true
                    if !(empty || [400, 404, 405].contains(reply.status)) || Self.leak(in: reply) != nil {
                        failures.append("\(uri.prefix(80)) with \(payload): \(reply.status) \(reply.text.prefix(200))")
                    }
                }
                let deleted = try await hub.delete("/fhir/Patient/\(value)")
                if deleted.status >= 500 { failures.append("DELETE with \(payload): \(deleted.status)") }
            }
            #expect(failures.isEmpty, "\(failures.count) failures:\n\(failures.prefix(40).joined(separator: "\n"))")
            #expect(try await Self.snapshot(hub) == before)
        }
    }

    @Test("payloads in a POST _search form body and in conditional headers are harmless too")
    func bodiesAndHeaders() async throws {
        try await Hub.run { hub in
            try await Self.seed(hub)
            let before = try await Self.snapshot(hub)
            let form = ["Content-Type": "application/x-www-form-urlencoded"]
            let baseline = try await Self.outcome(of: hub.send(.post, "/fhir/Patient/_search", body: "family=\(Self.harmless)", headers: form))
            var failures: [String] = []
            for payload in InjectionPayload.all {
                let posted = try await hub.send(.post, "/fhir/Patient/_search", body: "family=\(payload.encoded)", headers: form)
                if let problem = Self.problem(with: posted, baseline: baseline) { failures.append("_search \(payload): \(problem)") }
                let conditional = try await hub.delete("/fhir/Patient?identifier=\(payload.encoded)")
                if ![204, 400].contains(conditional.status) { failures.append("conditional delete \(payload): \(conditional.status)") }
            }
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
            #expect(try await Self.snapshot(hub) == before)
        }
    }

    @Test("LIKE wildcards and the escape character match only themselves")
    func likeWildcards() async throws {
        try await Hub.run { hub in
            try await hub.store("/fhir/Patient/w1", #"{"resourceType":"Patient","id":"w1","name":[{"family":"Per%Cent_Under\\Slash"}]}"#)
            try await hub.store("/fhir/Patient/w2", #"{"resourceType":"Patient","id":"w2","name":[{"family":"Percent"}]}"#)
            try await hub.expect("Patient?family:contains=%25", ["w1"])
            try await hub.expect("Patient?family:contains=_", ["w1"])
            try await hub.expect("Patient?family:contains=%5C", ["w1"])
            try await hub.expect("Patient?family:contains=t%25c", [])
            try await hub.expect("Patient?family=per%25", ["w1"])
            try await hub.expect("Patient?family=per_", [])
            try await hub.expect("Patient?family=%25", [])
            try await hub.expect("Patient?family=pe", ["w1", "w2"])
        }
    }

    @Test("a huge OR list is answered, or refused with 400, never 500")
    func hugeValueLists() async throws {
        try await Hub.run { hub in
            try await Self.seed(hub)
            for form in [Form("Patient", "identifier=@"), Form("Patient", "_id=@"), Form("Patient", "family=@"),
                         Form("Patient", "general-practitioner=@"), Form("Patient", "birthdate=@"),
                         Form("Observation", "code-value-quantity=@"), Form("Patient", "_include=@")] {
                for values in [(0..<40_000).map { "q\($0)" }, (0..<40_000).map { "u\($0)|c\($0)" }] {
                    let reply = try await hub.get(form.uri(values.joined(separator: ",").replacingOccurrences(of: "|", with: "%7C")))
                    #expect([200, 400].contains(reply.status), "\(form) with \(values.count) values: \(reply.status) \(reply.text.prefix(300))")
                    if reply.status == 200 { #expect(try Self.matches(reply).isEmpty, "\(form)") }
                }
            }
        }
    }

    // MARK: - Data and checks

    /// Patients p1 (full), p2; Practitioner dr1; Observation o1 about p1 (LOINC 2345-7, 5.4 mg); ChargeItem c1.
    static func seed(_ hub: Hub) async throws {
        try await hub.store("/fhir/Practitioner/dr1", #"{"resourceType":"Practitioner","id":"dr1","name":[{"family":"Dorian"}]}"#)
        try await hub.store("/fhir/Patient/p1", #"""
            {"resourceType":"Patient","id":"p1","meta":{"profile":["http://example.org/StructureDefinition/p"],
             "tag":[{"system":"urn:tags","code":"vip"}],"source":"http://example.org/source"},
             "identifier":[{"system":"urn:test:mrn","value":"MRN1"}],"active":true,"gender":"male",
             "name":[{"family":"Chalmers","given":["Peter"]}],"address":[{"city":"Springfield"}],"birthDate":"1974-12-25",
             "generalPractitioner":[{"reference":"Practitioner/dr1"}]}
            """#)
        try await hub.store("/fhir/Patient/p2", #"{"resourceType":"Patient","id":"p2","gender":"female","name":[{"family":"Lefèvre"}],"identifier":[{"system":"urn:test:mrn","value":"MRN2"}]}"#)
        try await hub.store("/fhir/Observation/o1", #"""
            {"resourceType":"Observation","id":"o1","status":"final",
             "code":{"coding":[{"system":"http://loinc.org","code":"2345-7"}]},"subject":{"reference":"Patient/p1"},
             "effectiveDateTime":"2026-01-02T08:00:00Z",
             "valueQuantity":{"value":5.4,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"}}
            """#)
        try await hub.store("/fhir/ChargeItem/c1", #"""
            {"resourceType":"ChargeItem","id":"c1","status":"billable","code":{"text":"visit"},
             "subject":{"reference":"Patient/p1"},"factorOverride":0.8}
            """#)
    }

    /// What must not change: row counts, p1 as stored, and genuine searches of each parameter type.
    static func snapshot(_ hub: Hub) async throws -> [String] {
        var facts = [
            "resources \(try await hub.count("resource"))", "history \(try await hub.count("resource_history"))",
            "tokens \(try await hub.count("search_token"))", "strings \(try await hub.count("search_string"))",
        ]
        let p1 = try await hub.get("/fhir/Patient/p1")
        facts.append("p1 \(p1.status) \(try p1.json.string("name.0.family") ?? "?")")
        for query in [
            "Patient?family=chal", "Patient?identifier=urn:test:mrn|MRN1", "Patient?general-practitioner=Practitioner/dr1",
            "Patient?birthdate=1974", "ChargeItem?factor-override=0.8", "Observation?value-quantity=5.4|http://unitsofmeasure.org|mg",
            "Patient?_profile=http://example.org/StructureDefinition/p", "Observation?code-value-quantity=http://loinc.org|2345-7$5.4",
            "Observation?subject:Patient.family=chal", "Patient?_has:Observation:subject:code=2345-7",
        ] {
            let reply = try await hub.get("/fhir/" + query.replacingOccurrences(of: "|", with: "%7C"))
            facts.append("\(query) \(reply.status) \(try matches(reply).sorted())")
        }
        return facts
    }

    /// The status and matched ids of a search reply (ids only for 200).
    static func outcome(of reply: Reply) throws -> (status: Int, ids: [String]) {
        (reply.status, reply.status == 200 ? try matches(reply).sorted() : [])
    }

    /// The ids of the entries a search matched (not those it included, nor outcomes).
    static func matches(_ reply: Reply) throws -> [String] {
        try reply.json.entries.filter { $0.string("search.mode") == "match" }.compactMap { $0.string("resource.id") }
    }

    /// What is wrong with `reply` to a payload, compared with the same request with a harmless value.
    static func problem(with reply: Reply, baseline: (status: Int, ids: [String])) -> String? {
        if let leak = leak(in: reply) { return "leaks \(leak): \(reply.text.prefix(300))" }
        switch reply.status {
        case 200:
            guard let ids = try? matches(reply).sorted() else { return "200 without a Bundle: \(reply.text.prefix(300))" }
            // At most what a value that matches nothing gives: fewer is possible when the payload changes what
            // stands next to it (a combining mark after `,` makes one character with it, not a separator).
            let expected = baseline.status == 200 ? baseline.ids : []
            return Set(ids).isSubset(of: expected) ? nil : "matched \(ids), a value that matches nothing gives \(expected)"
        case 400:
            guard let issues = try? reply.json["issue"]?.arrayValue, !issues.isEmpty,
                  (try? reply.json["resourceType"]?.stringValue) == "OperationOutcome" else {
                return "400 without an OperationOutcome: \(reply.text.prefix(300))"
            }
            return nil
        default:
            return "status \(reply.status): \(reply.text.prefix(300))"
        }
    }

    /// Something only the database, the driver or the program would write, if the reply contains it.
    static func leak(in reply: Reply) -> String? {
        let markers = [
            "PSQLError", "PostgresNIO", "SQLSTATE", "syntax error", "search_string", "search_token", "search_reference",
            "search_date", "resource_history", "x.param", "r.resource_type", ".swift", "Swift.", "StoreError", "FHIRCoreError",
            "Fatal error",
        ]
        let text = reply.text
        return markers.first { text.contains($0) }
    }
}
