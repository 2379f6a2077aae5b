import Store
import Testing

/// Conditional criteria (`If-None-Exist`, `PUT Type?...`, `DELETE Type?...`) parsed by `SearchQuery` with the
/// registry, as the server does (no database).
@Suite("Conditional criteria parsing")
struct ConditionalQueryTests {
    @Test("criteria are read into clauses, values split on commas and decoded")
    func supported() throws {
        let query = try criteria("identifier=http://a|1,%7C2&_id=x")
        #expect(query.clauses.map(\.parameter) == ["identifier", "_id"])
        #expect(query.clauses[0].match == .token(
            [TokenValue(system: "http://a", code: "1"), TokenValue(system: "", code: "2")], negated: false))
        #expect(query.canonicalText == "_id=x&identifier=http://a|1,|2")
    }

    @Test(
        "token forms: system|code, |code, code, system|",
        arguments: [
            ("system|code", TokenValue(system: "system", code: "code")), ("|code", TokenValue(system: "", code: "code")),
            ("code", TokenValue(system: nil, code: "code")), ("system|", TokenValue(system: "system", code: nil)),
        ]
    )
    func tokenForms(_ token: String, _ expected: TokenValue) throws {
        #expect(try criteria("identifier=\(token)").clauses[0].match == .token([expected], negated: false))
    }

    @Test(
        "escaped separators stay in their value; other characters, multi-byte ones included, are split around",
        arguments: [
            (#"identifier=a\|b|c\,d,é|ü"#, [TokenValue(system: "a|b", code: "c,d"), TokenValue(system: "é", code: "ü")]),
            (#"identifier=x\\|y"#, [TokenValue(system: #"x\"#, code: "y")]),
            (#"identifier=😀|日本,|z\$"#, [TokenValue(system: "😀", code: "日本"), TokenValue(system: "", code: "z$")]),
        ]
    )
    func escapedSeparators(_ text: String, _ expected: [TokenValue]) throws {
        #expect(try criteria(text).clauses[0].match == .token(expected, negated: false))
    }

    @Test("percent-encoding and + are decoded")
    func decoding() throws {
        let query = try criteria("identifier=urn%3Aoid%3A1.2%7Ca+b")
        #expect(query.clauses[0].match == .token([TokenValue(system: "urn:oid:1.2", code: "a b")], negated: false))
    }

    @Test("the canonical text does not depend on parameter order, so identical requests share one lock")
    func canonical() throws {
        #expect(try criteria("identifier=a|1&_id=x").canonicalText == criteria("_id=x&identifier=a%7C1").canonicalText)
    }

    @Test(
        "unknown parameters, modifiers that do not apply and empty criteria are refused",
        arguments: ["nonsense=1", "identifier:exact=a|1", "identifier=1&nonsense=x", "_format=json", "", "&&", "=x"]
    )
    func refused(_ query: String) {
        #expect {
            try criteria(query)
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return (error.code == .invalidRequest || error.code == .notSupported) && !error.message.isEmpty
        }
    }

    @Test("the refusal names the parameter")
    func refusalMessage() {
        #expect {
            try criteria("nonsense=2000")
        } throws: { error in
            (error as? StoreError)?.message.contains("nonsense") == true
        }
    }
}
