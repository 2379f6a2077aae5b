import FHIRCore
import Testing

/// Parses `text` and writes it back compactly.
private func rewritten(_ text: String) throws -> String {
    JSONWriter.string(try JSONParser().parse(text))
}

@Suite("JSON round trips")
struct JSONRoundTripTests {
    @Test(
        "compact input is written back byte for byte",
        arguments: [
            #"{"a":1.50,"b":-0.0,"c":1e3,"d":1E-7,"e":-0,"f":0.000100}"#,
            #"[123456789012345678901234567890,-98765432109876543210.000000001,1.0e+400,2E-400]"#,
            #"{"text":"héllo wörld 中文 😀","empty":"","nested":{"deep":[{"x":[[]]},{}]}}"#,
            #"[true,false,null,"",0,-1,{"":""}]"#,
            #"{"quote":"say \"hi\"","backslash":"a\\b","newline":"a\nb","tab":"a\tb","cr":"a\rb"}"#,
            #""just a string""#,
            "42",
            "null",
        ]
    )
    func compactRoundTrip(_ text: String) throws {
        #expect(try rewritten(text) == text)
    }

    @Test("numbers keep their text exactly")
    func numberText() throws {
        let value = try JSONParser().parse(#"[1.50,-0.0,1e3,1E-7,18446744073709551616]"#)
        let texts = try #require(value.arrayValue).map(\.numberText)
        #expect(texts == ["1.50", "-0.0", "1e3", "1E-7", "18446744073709551616"])
    }

    @Test("member order is kept, not sorted")
    func memberOrder() throws {
        let value = try JSONParser().parse(#"{"zeta":1,"alpha":2,"mid":3,"resourceType":"Patient"}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["zeta", "alpha", "mid", "resourceType"])
        #expect(JSONWriter.string(value) == #"{"zeta":1,"alpha":2,"mid":3,"resourceType":"Patient"}"#)
    }

    @Test("escapes are decoded on input")
    func escapesDecoded() throws {
        let value = try JSONParser().parse(#"["\u00e9","\/","\ud83d\ude00","\u0041\u00DF","\b\f\n\r\t\"\\"]"#)
        let strings = try #require(value.arrayValue).map(\.stringValue)
        #expect(strings == ["é", "/", "😀", "Aß", "\u{8}\u{C}\n\r\t\"\\"])
    }

    @Test("escaped input is written in the shortest form and reads back the same")
    func escapesNormalised() throws {
        #expect(try rewritten(#"["\u00e9","\/","\ud83d\ude00"]"#) == #"["é","/","😀"]"#)
    }

    @Test("control characters are escaped on output")
    func controlCharactersEscaped() throws {
        let value = JSONValue.string("\u{0}\u{1}\u{8}\u{C}\n\r\t\u{1F}\u{7F}")
        let written = JSONWriter.string(value)
        #expect(written == #""\u0000\u0001\u0008\u000c\n\r\t\u001f"# + "\u{7F}\"")
        #expect(written.unicodeScalars.allSatisfy { $0.value >= 0x20 })
        #expect(try JSONParser().parse(written) == value)
    }

    @Test("built values are written compactly with members in insertion order")
    func builtValues() {
        var object = JSONObject([("b", .number("2")), ("a", .string("x"))])
        object["c"] = .array([.null, .bool(true)])
        object["b"] = .number("2.0")
        object.set("first", .bool(false), at: 0)
        #expect(JSONWriter.string(.object(object)) == #"{"first":false,"b":2.0,"a":"x","c":[null,true]}"#)
        object["a"] = nil
        #expect(object.keys == ["first", "b", "c"])
    }

    @Test("a byte-order mark is accepted and not written back")
    func byteOrderMark() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(#"{"a":1}"#.utf8)
        let value = try JSONParser().parse(bytes)
        #expect(JSONWriter.bytes(value) == Array(#"{"a":1}"#.utf8))
    }

    @Test("whitespace around and inside the value is accepted")
    func whitespace() throws {
        #expect(try rewritten(" \t\r\n{ \"a\" : [ 1 , 2 ] }\n ") == #"{"a":[1,2]}"#)
    }
}
