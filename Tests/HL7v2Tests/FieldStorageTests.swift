import Foundation
import Testing
@testable import HL7v2

/// Fields as read are ranges of the message's bytes; these check that reading through them, changing them and
/// comparing them behave as fields built from text do.
@Suite("HL7v2: fields as ranges of the input")
struct FieldStorageTests {
    static let adt = """
        MSH|^~\\&|REG|HOSP|EHR|HOSP|20240101120000||ADT^A08|CTRL1|P|2.5.1
        PID|1||123^^^HOSP^MR~456^^^SSA^SS||DOE^JOHN||19700101|M
        """

    @Test("a parsed segment equals (and hashes as) the same segment built from raw fields")
    func equalityAcrossStorage() throws {
        let parsed = try message(Self.adt)
        let built = HL7Segment(id: "PID", rawFields: ["1", "", "123^^^HOSP^MR~456^^^SSA^SS", "", "DOE^JOHN", "", "19700101", "M"])
        #expect(parsed.segments[1] == built)
        #expect(parsed.segments[1].hashValue == built.hashValue)
        #expect(parsed.segments[1].fieldCount == 8 && parsed.segments[1].fields.count == 8)
        #expect(parsed.segments[0].field(1)?.raw == "|" && parsed.segments[0].field(2)?.raw == "^~\\&")
        #expect(parsed.segments[0].field(2)?.holdsDelimiters == true && parsed.segments[0].field(3)?.holdsDelimiters == false)
    }

    @Test("changing a field of a parsed message is read back and encoded")
    func mutation() throws {
        var parsed = try message(Self.adt)
        parsed.segments[1].fields[4].raw = "ROE^RICHARD"
        var renamed = parsed.segments[1].fields[6]
        renamed.raw = "19800101"
        parsed.segments[1].fields[6] = renamed
        #expect(parsed["PID-5.2"] == "RICHARD" && parsed["PID-7"] == "19800101")
        #expect(HL7Encoder().encode(parsed) == Self.adt
            .replacingOccurrences(of: "DOE^JOHN", with: "ROE^RICHARD")
            .replacingOccurrences(of: "19700101", with: "19800101")
            .replacingOccurrences(of: "\n", with: "\r") + "\r")
    }

    @Test("delimiters that are not ASCII are read through text")
    func nonASCIIDelimiters() throws {
        let text = "MSH|§~\\&|REG|HOSP|EHR|HOSP|20240101120000||ADT§A08|CTRL1|P|2.5.1\nPID|1||123§§§HOSP§MR~456||DOE§JOHN"
        let parsed = try message(text)
        #expect(parsed.messageType == "ADT" && parsed.triggerEvent == "A08")
        #expect(parsed["PID-5.2"] == "JOHN")
        #expect(parsed.values("PID-3.1") == ["123", "456"])
        #expect(parsed.values("PID-3.4") == ["HOSP"])
        #expect(HL7Encoder().encode(parsed) == text.replacingOccurrences(of: "\n", with: "\r") + "\r")
    }

    @Test("values(_:) over many repetitions reads each once and unescapes only values with escapes")
    func manyRepetitions() throws {
        let repetitions = (1...2_000).map { $0 % 100 == 0 ? "ID\\T\\\($0)^^^A" : "ID\($0)^^^A" }
        let parsed = try message("MSH|^~\\&|A|B|C|D|20240101||ADT^A08|1|P|2.5\nPID|1||" + repetitions.joined(separator: "~"))
        let values = parsed.values("PID-3.1")
        #expect(values.count == 2_000)
        #expect(values[99] == "ID&100" && values[100] == "ID101")
        #expect(parsed["PID-3(2000).4"] == "A")
    }

    @Test("a Latin-1 message keeps its bytes through parsing and encoding")
    func latin1RoundTrip() throws {
        var bytes = Array("MSH|^~\\&|A|B|C|D|20240101||ADT^A08|1|P|2.5|||||||8859/1\rPID|1||1||M".utf8)
        bytes.append(0xDC)  // Ü in Latin-1
        bytes += Array("LLER^J\r".utf8)
        let parsed = try HL7Message(parsing: bytes)
        #expect(parsed.characterSet == .latin1 && parsed["PID-5.1"] == "MÜLLER")
        #expect(try HL7Encoder().encodeBytes(parsed) == bytes)
    }
}
