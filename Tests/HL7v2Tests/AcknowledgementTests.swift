import Foundation
import HL7v2
import Testing

/// Original-mode ACKs (HL7 v2.5.1 2.9.2, MSA and ERR), expected segments written by hand.
@Suite("Acknowledgements")
struct AcknowledgementTests {
    static let adt = "MSH|^~\\&|REG|NORTH^1.2.3^ISO|HUB|CB|20261123101500||ADT^A01^ADT_A01|MSG00042|P|2.5.1\rPID|1||123^^^HOSP^MR\r"
    static let time = Date(timeIntervalSince1970: 1_795_430_000)

    @Test("AA swaps sender and receiver, echoes MSH-10 in MSA-2 and keeps version and processing id")
    func accept() throws {
        let message = try HL7Message(parsing: Self.adt)
        let ack = HL7Acknowledgement.make(for: .init(message), code: .accept, controlID: "CB7", at: Self.time)
        let text = HL7Encoder().encode(ack)
        #expect(text == "MSH|^~\\&|HUB|CB|REG|NORTH^1.2.3^ISO|\(HL7Acknowledgement.timestampText(Self.time))||ACK^A01^ACK|CB7|P|2.5.1\rMSA|AA|MSG00042\r")
        let reread = try HL7Message(parsing: text)
        #expect(reread["MSA-1"] == "AA" && reread["MSA-2"] == "MSG00042" && reread.messageType == "ACK")
    }

    @Test("AE and AR carry an ERR segment with location, table 0357 code, severity and text, escaped")
    func errors() throws {
        let message = try HL7Message(parsing: Self.adt)
        let problem = HL7Acknowledgement.Problem(code: "101", segment: "PID", occurrence: 1, field: 3, message: "PID-3 | missing")
        let ack = try HL7Message(parsing: HL7Encoder().encode(
            HL7Acknowledgement.make(for: .init(message), code: .error, problem: problem, controlID: "CB8", at: Self.time)))
        #expect(ack["MSA-1"] == "AE" && ack["MSA-3"] == "PID-3 | missing")
        #expect(ack["ERR-2.1"] == "PID" && ack["ERR-2.2"] == "1" && ack["ERR-2.3"] == "3")
        #expect(ack["ERR-3.1"] == "101" && ack["ERR-3.2"] == "Required field missing" && ack["ERR-3.3"] == "HL70357")
        #expect(ack["ERR-4"] == "E" && ack["ERR-8"] == "PID-3 | missing")
    }

    @Test("error text with control characters (MLLP frame bytes, CR, NUL) is escaped: three segments, nothing that ends a frame")
    func controlCharacters() throws {
        let message = try HL7Message(parsing: Self.adt)
        let reason = "bad \u{0B}id\u{00}\r\u{1C} here"
        let problem = HL7Acknowledgement.Problem(code: "207", message: reason)
        let bytes = Array(HL7Encoder().encode(
            HL7Acknowledgement.make(for: .init(message), code: .error, problem: problem, controlID: "CB9", at: Self.time)).utf8)
        #expect(!bytes.contains(0x0B) && !bytes.contains(0x1C) && !bytes.contains(0x00))
        #expect(bytes.filter { $0 == 0x0D }.count == 3)
        let ack = try HL7Message(parsing: bytes)
        #expect(ack["MSA-3"] == reason && ack["ERR-8"] == reason)
    }

    @Test("an unreadable message still gets its control id back, scanned from the raw bytes")
    func scanned() throws {
        let raw = Array("junk\nMSH|^~\\&|LAB|WEST|||2026||ORU^R01|C-9|T|2.3\rOBX|bad".utf8)
        let header = HL7Acknowledgement.Header(scanning: raw)
        #expect(header.sendingApplication == "LAB" && header.sendingFacility == "WEST")
        #expect(header.controlID == "C-9" && header.triggerEvent == "R01" && header.version == "2.3" && header.processingID == "T")
        let ack = HL7Acknowledgement.make(for: header, code: .reject, problem: .init(code: "100", message: "bad"), controlID: "CB9")
        #expect(try HL7Message(parsing: HL7Encoder().encode(ack))["MSA-2"] == "C-9")
        #expect(HL7Acknowledgement.Header(scanning: Array("no header".utf8)) == HL7Acknowledgement.Header())
    }

    @Test("the ACK's timestamp is the UTC calendar time, the same as Foundation's calendar gives, across eras and leap days")
    func timestamps() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        #expect(HL7Acknowledgement.timestampText(Self.time) == "20261123103320+0000")
        #expect(HL7Acknowledgement.timestampText(Date(timeIntervalSince1970: 0)) == "19700101000000+0000")
        #expect(HL7Acknowledgement.timestampText(Date(timeIntervalSince1970: -0.5)) == "19691231235959+0000")
        var generator = SystemRandomNumberGenerator()
        let samples = [951_782_400.0, 951_868_799.0, 4_107_542_400.0, -2_208_988_800.0, 1_709_164_800.0]
            + (0..<2_000).map { _ in Double(Int64.random(in: -5_000_000_000...10_000_000_000, using: &generator)) }
        for seconds in samples {
            let time = Date(timeIntervalSince1970: seconds)
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: time)
            let numbers = [parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second].map { $0 ?? 0 }
            let expected = String(format: "%04d%02d%02d%02d%02d%02d+0000", numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5])
            #expect(HL7Acknowledgement.timestampText(time) == expected, "\(seconds)")
        }
    }
}
