import FHIRCore
import Testing

/// The error parsing `bytes` gives; records an issue when it parses.
private func parseError(_ bytes: [UInt8], maximumDepth: Int = 128) -> JSONParseError? {
    do {
        let value = try JSONParser(maximumDepth: maximumDepth).parse(bytes)
        Issue.record("\(String(decoding: bytes, as: UTF8.self)) parsed as \(value)")
        return nil
    } catch {
        return error
    }
}

private func parseError(_ text: String, maximumDepth: Int = 128) -> JSONParseError? {
    parseError(Array(text.utf8), maximumDepth: maximumDepth)
}

/// One malformed input with the error expected: a fragment of the reason and its position.
struct MalformedJSON: Sendable, CustomTestStringConvertible {
    let text: String
    let reason: String
    let line: Int
    let column: Int

    var testDescription: String { text }
}

@Suite("JSON parser rejections")
struct JSONParserErrorTests {
    @Test(
        "malformed JSON is rejected with its line and column",
        arguments: [
            MalformedJSON(text: "[1,2,]", reason: "unexpected character ']'", line: 1, column: 6),
            MalformedJSON(text: #"{"a":1,}"#, reason: "member name", line: 1, column: 8),
            MalformedJSON(text: "{\n  \"a\": 1,\n  \"a\": 2\n}", reason: "duplicate member 'a'", line: 3, column: 6),
            MalformedJSON(text: "[01]", reason: "leading zeros", line: 1, column: 3),
            MalformedJSON(text: "-007", reason: "leading zeros", line: 1, column: 3),
            MalformedJSON(text: #"{"a":"abc"#, reason: "unterminated string", line: 1, column: 10),
            MalformedJSON(text: #""a\"#, reason: "unterminated escape", line: 1, column: 4),
            MalformedJSON(text: #"["\ud800"]"#, reason: "unpaired surrogate", line: 1, column: 9),
            MalformedJSON(text: #"["\udc00x"]"#, reason: "unpaired surrogate", line: 1, column: 9),
            MalformedJSON(text: #"["\ud800\u0041"]"#, reason: "invalid low surrogate", line: 1, column: 15),
            MalformedJSON(text: #"["\u12G4"]"#, reason: "invalid hex digit", line: 1, column: 7),
            MalformedJSON(text: #"["\x"]"#, reason: "invalid escape", line: 1, column: 5),
            MalformedJSON(text: "{} x", reason: "unexpected content after", line: 1, column: 4),
            MalformedJSON(text: "1 2", reason: "unexpected content after", line: 1, column: 3),
            MalformedJSON(text: "truex", reason: "unexpected content after", line: 1, column: 5),
            MalformedJSON(text: "[nul]", reason: "invalid literal", line: 1, column: 2),
            MalformedJSON(text: "", reason: "unexpected end", line: 1, column: 1),
            MalformedJSON(text: "  \n ", reason: "unexpected end", line: 2, column: 2),
            MalformedJSON(text: "[1,", reason: "unexpected end", line: 1, column: 4),
            MalformedJSON(text: #"{"a" 1}"#, reason: "expected ':'", line: 1, column: 6),
            MalformedJSON(text: "[1 2]", reason: "expected ',' or ']'", line: 1, column: 4),
            MalformedJSON(text: #"{"a":1 "b":2}"#, reason: "expected ',' or '}'", line: 1, column: 8),
            MalformedJSON(text: "{a:1}", reason: "member name", line: 1, column: 2),
            MalformedJSON(text: "1.", reason: "fraction", line: 1, column: 3),
            MalformedJSON(text: ".5", reason: "unexpected character '.'", line: 1, column: 1),
            MalformedJSON(text: "1e+", reason: "exponent", line: 1, column: 4),
            MalformedJSON(text: "+1", reason: "unexpected character '+'", line: 1, column: 1),
            MalformedJSON(text: "-", reason: "invalid number", line: 1, column: 2),
            MalformedJSON(text: "NaN", reason: "unexpected character 'N'", line: 1, column: 1),
            MalformedJSON(text: "[1] // comment", reason: "unexpected content after", line: 1, column: 5),
            MalformedJSON(text: "\"a\tb\"", reason: "control character", line: 1, column: 3),
            MalformedJSON(text: "\"a\\n\nb\"", reason: "control character", line: 1, column: 5),
        ]
    )
    func rejected(_ example: MalformedJSON) throws {
        let error = try #require(parseError(example.text))
        #expect(error.reason.contains(example.reason), "reason: \(error.reason)")
        #expect(error.line == example.line, "\(error)")
        #expect(error.column == example.column, "\(error)")
        #expect(error.description.contains("line \(example.line), column \(example.column)"))
    }

    @Test(
        "invalid UTF-8 is rejected",
        arguments: [
            [0x22, 0xC3, 0x28, 0x22],  // truncated two-byte sequence
            [0x22, 0x80, 0x22],  // lone continuation byte
            [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
            [0x22, 0xED, 0xA0, 0x80, 0x22],  // a UTF-16 surrogate encoded as UTF-8
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // beyond U+10FFFF
            [0x22, 0x5C, 0x6E, 0xFF, 0x22],  // after an escape (slow path)
            [0x7B, 0x22, 0xFE, 0x22, 0x3A, 0x31, 0x7D],  // in a member name
        ] as [[UInt8]]
    )
    func invalidUTF8(_ bytes: [UInt8]) throws {
        let error = try #require(parseError(bytes))
        #expect(error.reason.contains("UTF-8"), "\(error)")
    }

    @Test("bytes that cannot start a value are rejected and shown escaped")
    func nonASCIIOutsideString() throws {
        let error = try #require(parseError([0x5B, 0xFF, 0x5D]))
        #expect(error.reason.contains("\\u{ff}"))
        #expect(error.column == 2)
    }

    @Test("a byte-order mark anywhere but the start is rejected")
    func misplacedByteOrderMark() throws {
        let error = try #require(parseError([0x20, 0xEF, 0xBB, 0xBF, 0x31]))
        #expect(error.column == 2)
    }

    @Test("100,000 nested arrays fail cleanly at the depth limit")
    func hostileNesting() throws {
        let error = try #require(parseError(String(repeating: "[", count: 100_000)))
        #expect(error.reason.contains("nesting deeper than 128"))
        #expect(error.column == 129)
        let objects = try #require(parseError(String(repeating: #"{"a":"#, count: 100_000)))
        #expect(objects.reason.contains("nesting"))
    }

    @Test("nesting up to the limit is accepted, one more level is not")
    func depthBoundary() throws {
        let atLimit = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
        #expect(throws: Never.self) { try JSONParser().parse(atLimit) }
        let beyond = "[" + atLimit + "]"
        let error = try #require(parseError(beyond))
        #expect(error.reason.contains("nesting"))
        let custom = try #require(parseError(#"{"a":{"b":[1]}}"#, maximumDepth: 2))
        #expect(custom.reason.contains("deeper than 2"))
        #expect(throws: Never.self) { try JSONParser(maximumDepth: 3).parse(#"{"a":{"b":[1]}}"#) }
    }

    @Test("a parse error becomes an invalidJSON FHIRCoreError for resources")
    func resourceParseError() throws {
        do {
            _ = try FHIRResource(parsing: Array(#"{"resourceType":"Patient","#.utf8))
            Issue.record("truncated resource parsed")
        } catch {
            #expect(error.code == .invalidJSON)
            #expect(error.message.contains("line 1"))
        }
    }
}
