import Foundation
import Testing
@testable import HL7v2

/// Escape sequences (v2.5.1 chapter 2, 2.7) and MSH-18 character sets.
@Suite("HL7v2: escape sequences and character sets")
struct EscapeAndCharacterSetTests {
    static let standard = HL7EncodingCharacters.standard

    func unescape(_ raw: String, _ characterSet: HL7CharacterSet = .utf8,
                  encoding: HL7EncodingCharacters = standard) -> String {
        HL7Escaping.unescape(raw[...], encoding: encoding, characterSet: characterSet)
    }

    @Test("delimiter escapes give the message's own delimiters", arguments: [
        ("\\F\\", "|"), ("\\S\\", "^"), ("\\T\\", "&"), ("\\R\\", "~"), ("\\E\\", "\\"),
        ("a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f", "a|b^c&d~e\\f"), ("\\E\\F\\E\\", "\\F\\"),
    ])
    func delimiterEscapes(_ raw: String, _ expected: String) {
        #expect(unescape(raw) == expected)
    }

    @Test("escapes follow MSH-2: with $ as escape character, $F$ is the field separator")
    func customEscapeCharacter() throws {
        let parsed = try message("MSH|^~$&|A|B|||2024||ADT^A01|1|P|2.5\nNTE|1||a$F$b$E$c\\F\\")
        #expect(parsed["NTE-3"] == "a|b$c\\F\\")
    }

    @Test("hex escapes are bytes in the message's character set", arguments: [
        ("\\X0D\\", HL7CharacterSet.utf8, "\r"), ("\\X41420A\\", .utf8, "AB\n"), ("\\XC3A9\\", .utf8, "é"),
        ("\\XE9\\", .latin1, "é"), ("\\XE9\\", .utf8, "é"), ("\\xc3a9\\", .ascii, "é"),
        ("\\X4\\", .utf8, "\\X4\\"), ("\\XZZ\\", .utf8, "\\XZZ\\"), ("\\X\\", .utf8, "\\X\\"),
    ])
    func hexEscapes(_ raw: String, _ characterSet: HL7CharacterSet, _ expected: String) {
        #expect(unescape(raw, characterSet) == expected)
    }

    @Test("formatting escapes: .br is a line feed, highlighting gives no text", arguments: [
        ("a\\.br\\b", "a\nb"), ("\\H\\bold\\N\\ text", "bold text"), ("a\\.sp 2\\b", "a\n\nb"), ("a\\.sp\\b", "a\nb"),
        ("a\\.sk 3\\b", "a   b"), ("\\.fi\\a\\.nf\\", "a"), ("\\.in +4\\a", "a"), ("\\.ce\\x", "\nx"),
        ("\\.sp 99999999999999999999\\", String(repeating: "\n", count: 100)),
    ])
    func formattingEscapes(_ raw: String, _ expected: String) {
        #expect(unescape(raw) == expected)
    }

    @Test("unknown, local, unterminated and empty sequences are kept as written", arguments: [
        "\\Zabc\\", "a\\b", "end\\", "\\\\", "\\Q\\", "IPv6\\r\"",
    ])
    func keptSequences(_ raw: String) {
        #expect(unescape(raw) == raw)
    }

    @Test("character set switches (\\C..\\, \\M..\\) are dropped")
    func characterSetSwitches() {
        #expect(unescape("a\\C2842\\b\\M2442\\c") == "abc")
    }

    @Test("escaping a value (delimiters, line breaks, control characters) and reading it back gives the value")
    func escapeRoundTrip() {
        let value = "a|b^c&d~e\\f\rg\nh"
        let escaped = HL7Escaping.escape(value, encoding: Self.standard)
        #expect(escaped == "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\X0D\\g\\X0A\\h")
        #expect(unescape(escaped) == value)
        let controls = "a\u{0B}b\u{1C}c\u{00}d\te\u{7F}"
        #expect(HL7Escaping.escape(controls, encoding: Self.standard) == "a\\X0B\\b\\X1C\\c\\X00\\d\\X09\\e\\X7F\\")
        #expect(unescape(HL7Escaping.escape(controls, encoding: Self.standard)) == controls)
        let field = HL7Field(components: ["DOE^X", "JOHN"])
        #expect(field.raw == "DOE\\S\\X^JOHN")
        #expect(field.value == "DOE^X")
    }

    @Test("8859/1 reads and writes Latin-1 bytes")
    func latin1() throws {
        let bytes = er7("MSH|^~\\&|A|B|||2024||ADT^A01|1|P|2.5||||||8859/1\nPID|1||1||M") + [0xFC, 0x6C, 0x6C, 0x65, 0x72]
        let parsed = try HL7Message(parsing: bytes)
        #expect(parsed.characterSet == .latin1)
        #expect(parsed["PID-5"] == "Müller")
        #expect(try HL7Encoder().encodeBytes(parsed) == bytes + [0x0D])
        var changed = parsed
        changed.segments[1].fields[4] = HL7Field(raw: "Ω")
        #expect(throws: HL7ParseError.self) { try HL7Encoder().encodeBytes(changed) }
    }

    @Test("UTF-8 (declared or not) reads as UTF-8; declared UTF-8 with bad bytes is an error")
    func utf8() throws {
        for declared in ["UNICODE UTF-8", ""] {
            let bytes = er7("MSH|^~\\&|A|B|||2024||ADT^A01|1|P|2.5||||||\(declared)\nPID|1||1||Müller")
            let parsed = try HL7Message(parsing: bytes)
            #expect(parsed.characterSet == .utf8)
            #expect(parsed["PID-5"] == "Müller")
            #expect(try HL7Encoder().encodeBytes(parsed) == bytes + [0x0D])
        }
        let broken = er7("MSH|^~\\&|A|B|||2024||ADT^A01|1|P|2.5||||||UNICODE UTF-8\nPID|1||1||M") + [0xFC]
        let error = parseError(broken)
        #expect(error?.kind == .invalidCharacterEncoding)
        #expect(error?.segmentIndex == 2)
    }

    @Test("ASCII, empty or unknown MSH-18 with non-UTF-8 bytes falls back to Latin-1 and writes the same bytes")
    func fallback() throws {
        for declared in ["ASCII", "", "8859/15", "x~y"] {
            let bytes = er7("MSH|^~\\&|A|B|||2024||ADT^A01|1|P|2.5||||||\(declared)\nPID|1||1||M") + [0xE9]
            let parsed = try HL7Message(parsing: bytes)
            #expect(parsed.characterSet == .latin1)
            #expect(parsed["PID-5"] == "Mé")
            #expect(try HL7Encoder().encodeBytes(parsed) == bytes + [0x0D])
        }
        let ascii = try message("MSH|^~\\&|A|B|||2024||ADT^A01|1|P|2.5||||||ASCII")
        #expect(ascii.characterSet == .ascii)
    }

    @Test("text that is already decoded keeps its characters; MSH-18 only names the output set")
    func decodedText() throws {
        let parsed = try HL7Message(parsing: "MSH|^~\\&|A|B|||2024||ADT^A01|1|P|2.5||||||8859/1\rPID|1||1||Müller\r")
        #expect(parsed["PID-5"] == "Müller")
        #expect(try HL7Encoder().encodeBytes(parsed).contains(0xFC))
    }
}
