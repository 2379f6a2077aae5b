import Store
import Testing

/// Search values that used to widen a search instead of narrowing it: a dangling or unknown `\` escape was
/// dropped (so `x\` searched for `x`, and a lone `\` for everything), text that normalizes to nothing matched
/// every value, a token of a lone `|` matched every token without a system, and a list of tens of thousands
/// of values overflowed PostgreSQL's bind parameters (500).
@Suite("Search value hardening")
struct SearchValueHardeningTests {
    func parse(_ type: String, _ pairs: [(String, String)]) throws -> SearchQuery {
        try SearchQuery(type: type, parameters: pairs.map { (name: $0.0, value: $0.1) }, registry: TestDatabase.registry.get())
    }

    @Test("a backslash escapes only , | $ and itself; any other, and a trailing one, is kept")
    func escapes() throws {
        let cases: [(String, [String])] = [
            (#"a\,b"#, ["a,b"]), (#"a\|b"#, ["a|b"]), (#"a\$b"#, ["a$b"]), (#"a\\b"#, [#"a\b"#]),
            (#"\"#, [#"\"#]), (#"chalmers\"#, [#"chalmers\"#]), (#"a\/b"#, [#"a\/b"#]), (#"a\,"#, ["a,"]),
        ]
        for (value, expected) in cases {
            let query = try parse("Patient", [("family:exact", value)])
            #expect(query.clauses.first?.match == .string(expected, .exact), "\(value)")
        }
    }

    @Test("text that normalizes to nothing is refused instead of matching every value")
    func emptyText() {
        for (name, value) in [("family", " "), ("family", "\t\n"), ("family:contains", "  "), ("family", "a, "),
                              ("identifier:text", " ")] {
            #expect(throws: StoreError.self, "\(name)=\(value)") { try parse("Patient", [(name, value)]) }
        }
    }

    @Test("a token with neither system nor code is refused; system-only and code-only tokens still work")
    func emptyToken() throws {
        #expect(throws: StoreError.self) { try parse("Patient", [("identifier", "|")]) }
        #expect(throws: StoreError.self) { try parse("Patient", [("active", "true,|")]) }
        _ = try parse("Patient", [("identifier", "urn:mrn|")])
        _ = try parse("Patient", [("identifier", "|X9")])
    }

    @Test("a search names at most maximumValues values in all")
    func valueBudget() throws {
        let within = (0..<SearchQuery.maximumValues).map { "id\($0)" }.joined(separator: ",")
        _ = try parse("Patient", [("_id", within)])
        #expect(throws: StoreError.self) { try parse("Patient", [("_id", within + ",one-more")]) }
        let repeated = Array(repeating: ("family", "a,b"), count: SearchQuery.maximumValues / 2 + 1)
        #expect(throws: StoreError.self) { try parse("Patient", repeated) }
        _ = try parse("Patient", [("_id", "a"), ("_count", "5"), ("_elements", within)])
    }
}
