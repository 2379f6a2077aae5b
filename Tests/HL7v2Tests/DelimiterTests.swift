import Foundation
import Testing
@testable import HL7v2

/// Delimiters from MSH-1/MSH-2 and segment terminators (v2.5.1 chapter 2, 2.5 and 2.6).
@Suite("HL7v2: delimiters and segment terminators")
struct DelimiterTests {
    @Test("the standard delimiters split repetitions, components and subcomponents")
    func standardDelimiters() throws {
        let parsed = try message("MSH|^~\\&|APP|FAC|||20240101||ADT^A01|1|P|2.5\nPID|1||123^^^HOSP&1.2.3&ISO^MR~456^^^SSA^SS||DOE^JOHN")
        #expect(parsed.encoding == .standard)
        #expect(parsed["PID-3.1"] == "123")
        #expect(parsed["PID-3(2).1"] == "456")
        #expect(parsed["PID-3.4.2"] == "1.2.3")
        #expect(parsed["PID-3.4.3"] == "ISO")
        #expect(parsed.values("PID-3.5") == ["MR", "SS"])
        #expect(parsed["PID-5.2"] == "JOHN")
    }

    @Test("MSH-1 and MSH-2 are the delimiters, counted as fields 1 and 2; MSH-3 is the first data field")
    func headerNumbering() throws {
        let parsed = try message("MSH|^~\\&|APP|FAC|||20240101||ADT^A01|CTRL|P|2.5")
        #expect(parsed["MSH-1"] == "|")
        #expect(parsed["MSH-2"] == "^~\\&")
        #expect(parsed["MSH-3"] == "APP")
        #expect(parsed["MSH-9.2"] == "A01")
        #expect(parsed.messageType == "ADT")
        #expect(parsed.triggerEvent == "A01")
        #expect(parsed.controlID == "CTRL")
        #expect(parsed.version == "2.5")
    }

    @Test("other delimiters: ! as field separator, and a truncation character (^~\\&#, v2.7)")
    func customDelimiters() throws {
        let bang = try message("MSH!@#$%!APP!!!!!!ORU@R01!1!P!2.5\nOBX!1!CE!A@B#C@D%E")
        #expect(bang.encoding.field == "!" && bang.encoding.component == "@" && bang.encoding.repetition == "#")
        #expect(bang.encoding.escape == "$" && bang.encoding.subcomponent == "%")
        #expect(bang["OBX-3.1"] == "A" && bang["OBX-3(2).1"] == "C" && bang["OBX-3(2).2.2"] == "E")
        let truncation = try message("MSH|^~\\&#|A|B|||2024||ADT^A01|1|P|2.7\nPID|1||12#3^^^X\\P\\")
        #expect(truncation.encoding.truncation == "#")
        #expect(truncation["PID-3.1"] == "12#3", "the truncation character is data, not a separator")
        #expect(truncation["PID-3.4"] == "X#")
    }

    @Test("MSH-2 with three characters has no subcomponents; a doubled escape (^~\\\\&) counts once")
    func looseEncodingCharacters() throws {
        let three = try message("MSH|^~\\|A|B|||2024||ADT^A01|1|P|2.3\nPID|1||A&B^C")
        #expect(three.encoding.subcomponent == nil)
        #expect(three["PID-3.1"] == "A&B")
        let doubled = try message("MSH|^~\\\\&|A|B|||2024||ADT^A01|1|P|2.6\nPID|1||A&B\\T\\C")
        #expect(doubled.encoding.escape == "\\" && doubled.encoding.subcomponent == "&")
        #expect(doubled["PID-3.1.2"] == "B&C")
        #expect(doubled["MSH-2"] == "^~\\\\&", "MSH-2 keeps its text")
    }

    @Test("bad MSH-2: too short, too long, repeated, a letter or a space", arguments: [
        "MSH|^|A|B|||2024||ADT^A01|1|P|2.5", "MSH|^~|A|||||ADT^A01|1|P|2.5", "MSH|^~\\&#$|A||||||ADT^A01|1|P|2.5",
        "MSH|^&&^|A||||||ADT^A01|1|P|2.5", "MSH|^~^#|A||||||ADT^A01|1|P|2.5", "MSH|0000|A||||||ADT^A01|1|P|2.5",
        "MSH|^ \\&|A||||||ADT^A01|1|P|2.5", "MSH|^~|&|A||||||ADT^A01|1|P|2.5", "MSH||A||||||ADT^A01|1|P|2.5",
    ])
    func badEncodingCharacters(_ text: String) {
        let error = parseError(er7(text))
        #expect(error?.kind == .invalidEncodingCharacters, "\(text): \(String(describing: error))")
        #expect(error?.segmentIndex == 1 && error?.segmentID == "MSH" && error?.field == 2)
    }

    @Test("the field separator must be a printable ASCII non-alphanumeric character")
    func badFieldSeparator() {
        #expect(parseError(Array("MSHH0".utf8))?.kind == .invalidFieldSeparator)
        #expect(parseError(Array("MSH".utf8))?.kind == .invalidFieldSeparator)
        #expect(parseError(Array("MSH ^~\\& A".utf8))?.kind == .invalidFieldSeparator)
    }

    @Test("segments end with CR, LF or CRLF, blank lines are skipped, a UTF-8 BOM is dropped", arguments: [
        "\r", "\n", "\r\n", "\r\r", "\n\n\n", "\r\n\r\n",
    ])
    func segmentTerminators(_ terminator: String) throws {
        let text = ["MSH|^~\\&|A|B|||2024||ADT^A01|1|P|2.5", "EVN|A01", "PID|1||42", "ZPI|custom"]
            .joined(separator: terminator) + terminator
        for bytes in [Array(text.utf8), [0xEF, 0xBB, 0xBF] + Array(text.utf8)] {
            let parsed = try HL7Message(parsing: bytes)
            #expect(parsed.segments.map(\.id) == ["MSH", "EVN", "PID", "ZPI"])
            #expect(parsed["ZPI-1"] == "custom", "Z-segments are kept")
            #expect(HL7Encoder().encode(parsed)
                == "MSH|^~\\&|A|B|||2024||ADT^A01|1|P|2.5\rEVN|A01\rPID|1||42\rZPI|custom\r")
        }
    }

    @Test("encoding is the exact inverse of reading: empty fields, trailing separators, escapes kept as written")
    func exactRoundTrip() throws {
        let text = "MSH|^~\\&|A|B|||2024||ORU^R01|1|P|2.5|||\rPID|||1^^^A&&ISO~~||\\H\\DOE\\N\\^J\\S\\R|\rOBX\rNTE|\r"
        let parsed = try HL7Message(parsing: Array(text.utf8))
        #expect(HL7Encoder().encode(parsed) == text)
        #expect(parsed.segment("OBX")?.fields.isEmpty == true)
        #expect(parsed.segment("NTE")?.fields.count == 1)
        #expect(parsed["PID-5.1"] == "DOE")
        #expect(parsed["PID-5.2"] == "J^R")
    }

    @Test("segment IDs are three characters, A-Z then A-Z or 0-9", arguments: [
        "PI|1", "PIDX|1", "pid|1", "1PD|1", "# comment", "   x", "|E|1",
    ])
    func badSegmentIDs(_ line: String) {
        let error = parseError(er7("MSH|^~\\&|A|B|||2024||ADT^A01|1|P|2.5\nEVN|A01\n" + line))
        #expect(error?.kind == .invalidSegmentID, "\(line): \(String(describing: error))")
        #expect(error?.segmentIndex == 3)
    }
}
