import Foundation
import Testing
@testable import HL7v2

/// Malformed input gives a typed error with its position; limits bound memory and time.
@Suite("HL7v2: errors and limits")
struct ErrorTests {
    @Test("empty input, or input that does not start with a header segment")
    func missingHeader() {
        #expect(parseError([])?.kind == .emptyInput)
        #expect(parseError(Array(" \r\n\t".utf8))?.kind == .emptyInput)
        #expect(parseError([0, 0, 2] + Array("MSH|^~\\&".utf8))?.kind == .missingHeader)
        #expect(parseError(er7("PID|1\nMSH|^~\\&|A||||||ADT^A01|1|P|2.5"))?.kind == .missingHeader)
    }

    @Test("MSH-9 is required; MSH-12, when written, is a v2 version")
    func headerFields() {
        let noType = parseError(er7("MSH|^~\\&|A|B|||2024||^A01|1|P|2.5"))
        #expect(noType?.kind == .missingRequiredField && noType?.field == 9 && noType?.segmentID == "MSH")
        #expect(parseError(er7("MSH|^~\\&|A"))?.kind == .missingRequiredField)
        let version = parseError(er7("MSH|^~\\&|3|4|5|6|7|8|9|10|11|12|13"))
        #expect(version?.kind == .invalidVersion && version?.field == 12)
        #expect(parseError(er7("MSH|^~\\&|A|B|||2024||ADT^A01|1|P|"))  == nil, "an empty MSH-12 is accepted")
        #expect(parseError(er7("MSH|^~\\&|A|B|||2024||ADT^A01|1|P|2.5.1^USA"))  == nil)
    }

    @Test("limits: input size, segments, fields, repetitions")
    func limits() {
        var options = HL7ParseOptions()
        options.maxInputBytes = 100
        #expect(parseError(er7("MSH|^~\\&|A|B|||2024||ADT^A01|1|P|2.5\nNTE|" + String(repeating: "x", count: 100)),
                           options: options)?.kind == .limitExceeded)
        options = HL7ParseOptions()
        options.maxSegments = 3
        #expect(parseError(er7("MSH|^~\\&|A||||||ADT^A01|1|P|2.5\nNTE|1\nNTE|2\nNTE|3"), options: options)?.kind == .limitExceeded)
        options = HL7ParseOptions()
        options.maxFieldsPerSegment = 15
        let fields = parseError(er7("MSH|^~\\&|A||||||ADT^A01|1|P|2.5\nNTE" + String(repeating: "|", count: 16)), options: options)
        #expect(fields?.kind == .limitExceeded && fields?.segmentIndex == 2 && fields?.field == 16)
        options = HL7ParseOptions()
        options.maxRepetitionsPerField = 5
        let repetitions = parseError(er7("MSH|^~\\&|A||||||ADT^A01|1|P|2.5\nPID|1||" + String(repeating: "~", count: 5)),
                                     options: options)
        #expect(repetitions?.kind == .limitExceeded && repetitions?.field == 3)
    }

    /// Adversarial inputs by name (the names keep the test log short).
    static let adversarialInputs: [String: String] = [
        "200k field separators": String(repeating: "|", count: 200_000),
        "200k CRs": String(repeating: "\r", count: 200_000),
        "100k escape characters": header + String(repeating: "\\", count: 100_000),
        "50k unterminated hex escapes": header + String(repeating: "\\X", count: 50_000),
        "50k components and subcomponents": header + String(repeating: "^&", count: 50_000),
        "1k .sp 99 escapes": header + String(repeating: "\\.sp 99\\", count: 1_000),
        "20k repetitions": header + String(repeating: "~", count: 20_000),
        "9k repetitions": header + String(repeating: "a~", count: 9_000),
    ]
    static let header = "MSH|^~\\&|A||||||ADT^A01|1|P|2.5\rNTE|"

    @Test("adversarial shapes read in linear time and give an error or a message, never a trap",
          arguments: adversarialInputs.keys.sorted())
    func adversarial(_ name: String) {
        let bytes = Array((Self.adversarialInputs[name] ?? "").utf8)
        if let parsed = try? HL7Message(parsing: bytes) {
            _ = parsed.values("NTE-1.1.1")
            _ = parsed["NTE-1"]
            #expect(HL7Encoder().encode(parsed).utf8.count == bytes.count + 1)
        }
        _ = parseError(bytes, batch: true)
    }

    @Test("an error describes itself with its position")
    func description() {
        let error = HL7ParseError(.invalidSegmentID, segmentIndex: 3, segmentID: "PI", field: nil, reason: "bad")
        #expect(error.description == "invalidSegmentID at segment 3 (PI): bad")
        #expect(HL7ParseError(.invalidPath, reason: "x").description == "invalidPath: x")
    }
}
