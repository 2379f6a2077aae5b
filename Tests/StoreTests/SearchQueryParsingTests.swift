import FHIRProfiles
import Foundation
import Store
import Testing

/// Parsing of search queries into the typed model, from the registry (no database).
@Suite("Search query parsing")
struct SearchQueryParsingTests {
    static let registry = Result { try ProfileRegistry.loadDefault() }

    private func parse(_ type: String, _ pairs: [(String, String)], lenient: Bool = false) throws -> SearchQuery {
        try SearchQuery(
            type: type, parameters: pairs.map { (name: $0.0, value: $0.1) }, registry: try Self.registry.get(),
            lenient: lenient, localBase: "https://hub.example/fhir"
        )
    }

    private func instant(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text))
    }

    @Test("dates: the prefix and the range the precision covers")
    func dates() throws {
        let query = try parse("Patient", [("birthdate", "ge1970-05"), ("birthdate", "2026-11-20T10:15:30Z")])
        #expect(query.clauses.count == 2, "a repeated parameter is AND")
        guard case .date(let first) = query.clauses[0].match, case .date(let second) = query.clauses[1].match else {
            Issue.record("not date clauses")
            return
        }
        #expect(first == [DateValue(prefix: .ge, low: try instant("1970-05-01T00:00:00Z"), high: try instant("1970-06-01T00:00:00Z"))])
        #expect(second.first?.prefix == .eq)
        #expect(second.first.map { $0.high.timeIntervalSince($0.low) } == 1, "seconds precision covers one second")
    }

    @Test("numbers keep their text and the precision of their last digit")
    func numbers() throws {
        let query = try parse("Observation", [("value-quantity", "100,lt5.40|http://unitsofmeasure.org|mg,1e2,2.5||kg")])
        guard case .quantity(let values) = query.clauses[0].match else {
            Issue.record("not a quantity clause")
            return
        }
        #expect(values.map(\.number.text) == ["100", "5.40", "1e2", "2.5"])
        #expect(values.map(\.number.precisionExponent) == [0, -2, 2, -1])
        #expect(values.map(\.number.prefix) == [.eq, .lt, .eq, .eq])
        #expect(values[1].system == "http://unitsofmeasure.org" && values[1].code == "mg")
        #expect(values[3].system == nil && values[3].code == "kg")
    }

    @Test("tokens: code, system|code, |code, system|; escapes; :not and :text")
    func tokens() throws {
        let query = try parse("Patient", [("identifier", #"a,urn:x|1,|2,urn:y|,urn:z|a\,b\|c"#), ("gender:not", "male")])
        guard case .token(let tokens, negated: false) = query.clauses[0].match else {
            Issue.record("not a token clause")
            return
        }
        #expect(tokens == [
            TokenValue(system: nil, code: "a"), TokenValue(system: "urn:x", code: "1"), TokenValue(system: "", code: "2"),
            TokenValue(system: "urn:y", code: nil), TokenValue(system: "urn:z", code: "a,b|c"),
        ])
        #expect(query.clauses[1].match == .token([TokenValue(system: nil, code: "male")], negated: true))
        let text = try parse("Observation", [("code:text", "Body Wéight")])
        #expect(text.clauses[0].match == .tokenText(["body weight"]))
    }

    @Test("strings are normalised except for :exact; references by Type/id, id, URL and the local base")
    func stringsAndReferences() throws {
        let query = try parse("Patient", [("family", "MÜLLER"), ("family:exact", "Müller"), ("family:contains", "ll")])
        #expect(query.clauses.map(\.match) == [.string(["muller"], .prefix), .string(["Müller"], .exact), .string(["ll"], .contains)])
        let references = try parse(
            "Observation",
            [("subject", "Patient/1,2,https://hub.example/fhir/Patient/3,http://else.example/Patient/4"), ("subject:Group", "6")]
        )
        #expect(references.clauses.map(\.match) == [
            .reference([.local(type: "Patient", id: "1"), .local(type: nil, id: "2"), .local(type: "Patient", id: "3"),
                        .url("http://else.example/Patient/4")]),
            .reference([.local(type: "Group", id: "6")]),
        ])
        let single = try parse("Slot", [("schedule", "5")])
        #expect(single.clauses.map(\.match) == [.reference([.local(type: "Schedule", id: "5")])], "the only target type")
    }

    @Test("result parameters: _sort, _count, _offset, _total, _summary, _elements, _include")
    func resultParameters() throws {
        let query = try parse("Patient", [
            ("_sort", "-birthdate,family,_id"), ("_count", "10"), ("_offset", "20"), ("_total", "accurate"),
            ("_summary", "count"), ("_elements", "name,gender"), ("_revinclude:iterate", "Observation:subject"),
        ])
        #expect(query.sort.map(\.parameter) == ["birthdate", "family", "_id"])
        #expect(query.sort.map(\.descending) == [true, false, false])
        #expect(query.count == 10 && query.offset == 20 && query.total == .accurate && query.summary == .count)
        #expect(query.elements == ["name", "gender"])
        #expect(query.includes.first?.reverse == true && query.includes.first?.iterate == true)
        #expect(query.clauses.isEmpty && query.canonicalText.isEmpty)
    }

    @Test("the canonical text does not depend on the order of the parameters")
    func canonicalText() throws {
        let one = try parse("Patient", [("identifier", "a|1"), ("birthdate", "1970"), ("_count", "5")])
        let two = try parse("Patient", [("birthdate", "1970"), ("identifier", "a|1")])
        #expect(one.canonicalText == two.canonicalText && one.canonicalText == "birthdate=1970&identifier=a|1")
    }

    @Test("strict handling refuses what lenient handling lists as ignored; bad values are errors either way")
    func handling() throws {
        for pairs in [[("nickname", "x")], [("family:below", "x")], [("birthdate", "sa1970:x")], [("_contained", "true")],
                      [("subject:Device.name", "x")], [("_summary", "yes")], [("birthdate:text", "x")]] {
            #expect(throws: StoreError.self, "\(pairs)") { try parse("Patient", pairs) }
        }
        let lenient = try parse("Patient", [("nickname", "x"), ("gender", "male"), ("family:below", "y")], lenient: true)
        #expect(lenient.clauses.map(\.parameter) == ["gender"])
        #expect(lenient.ignored.count == 2 && lenient.ignored[0].contains("nickname"))
        for pairs in [[("birthdate", "1970-13")], [("value-quantity", "abc")], [("_count", "-1")], [("gender:missing", "yes")],
                      [("family", "")]] {
            #expect(throws: StoreError.self, "\(pairs)") {
                try SearchQuery(
                    type: pairs[0].0.hasPrefix("value") ? "Observation" : "Patient", parameters: pairs.map { (name: $0.0, value: $0.1) },
                    registry: try Self.registry.get(), lenient: true
                )
            }
        }
    }
}
