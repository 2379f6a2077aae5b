import Foundation
import Testing
@testable import HL7v2

/// Paths in spec numbering (`PID-5.1`, `OBX[2]-5`, `PID-3(2).4.2`) and the structured views.
@Suite("HL7v2: accessors")
struct AccessorTests {
    static let oru = """
        MSH|^~\\&|LAB|HOSP|EHR|HOSP|20240101120000+0100||ORU^R01^ORU_R01|MSG0001|P|2.5.1
        PID|1||12345^^^HOSP&1.2.3&ISO^MR~999-99-9999^^^SSA^SS||DOE^JANE^Q^^DR||19700101|F
        OBR|1||ORD1|24331-1^Lipid panel^LN
        OBX|1|NM|2093-3^Cholesterol^LN||196|mg/dL|<200|N|||F
        OBX|2|ST|NOTE^Comment^L||a\\T\\b \\F\\ ok||||||F
        OBX|3|NM|2571-8^Triglyceride^LN||""|mg/dL
        ZXT|custom^value
        """

    @Test("terser-style paths read values in spec numbering")
    func paths() throws {
        let parsed = try message(Self.oru)
        #expect(parsed["PID-5.1"] == "DOE")
        #expect(parsed["PID-5"] == "DOE", "no component means component 1")
        #expect(parsed["PID-5.5"] == "DR")
        #expect(parsed["PID-3(2).1"] == "999-99-9999")
        #expect(parsed["PID-3.4.2"] == "1.2.3")
        #expect(parsed["OBX-5"] == "196")
        #expect(parsed["OBX[2]-5"] == "a&b | ok", "values are unescaped")
        #expect(parsed.value("OBX[3]-5") == "\"\"", "the explicit null is returned as written")
        #expect(parsed.segments("OBX")[2].field(5)?.isNull == true)
        #expect(parsed["ZXT-1.2"] == "value")
        #expect(parsed["PID-99"] == nil && parsed["PID-5.9"] == nil && parsed["PID-3(3)"] == nil)
        #expect(parsed["OBX[4]-5"] == nil && parsed["AL1-1"] == nil && parsed["PID-2"] == nil)
    }

    @Test("values(_:) lists every segment and repetition unless the path picks one")
    func values() throws {
        let parsed = try message(Self.oru)
        #expect(parsed.values("OBX-3.1") == ["2093-3", "NOTE", "2571-8"])
        #expect(parsed.values("PID-3.1") == ["12345", "999-99-9999"])
        #expect(parsed.values("PID-3(2).5") == ["SS"])
        #expect(parsed.values("OBX[2]-3.2") == ["Comment"])
        #expect(parsed.values("OBX-6") == ["mg/dL", "mg/dL"])
    }

    @Test("paths are checked", arguments: ["PID", "PID-", "PID-0", "PID-5.", "pid-5", "PID-5(0)", "PID[0]-1",
                                          "PID-5.1.1.1", "PID-1x", "PID-(1)", "PID-9999999"])
    func badPaths(_ text: String) {
        #expect(throws: HL7ParseError.self) { try HL7Path(text) }
    }

    @Test("a path prints as it was written")
    func pathDescription() throws {
        for text in ["PID-5", "OBX[2]-5(3).1.2", "PID-3.4.2", "ZXT-1(2)"] {
            #expect(try HL7Path(text).description == text)
        }
    }

    @Test("structured views: repetitions, components, subcomponents, raw text")
    func structure() throws {
        let parsed = try message(Self.oru)
        let pid = try #require(parsed.segment("PID"))
        let identifiers = try #require(pid.field(3))
        #expect(identifiers.repetitions.count == 2)
        #expect(identifiers.raw == "12345^^^HOSP&1.2.3&ISO^MR~999-99-9999^^^SSA^SS")
        let first = try #require(identifiers.repetition(1))
        #expect(first.components.count == 5)
        #expect(first.component(4)?.subcomponents == ["HOSP", "1.2.3", "ISO"])
        #expect(first.component(4)?.raw == "HOSP&1.2.3&ISO")
        #expect(pid[8] == "F")
        #expect(pid.field(40) == nil)
        let header = try #require(parsed.header)
        #expect(header.field(2)?.repetitions.count == 1, "MSH-2 is never split")
        #expect(header.field(1)?.value == "|")
    }

    @Test("segments built in code encode as ER7")
    func building() throws {
        let msh = HL7Segment(id: "MSH", rawFields: ["APP", "FAC", "", "", "2024", "", "ACK^A01", "1", "P", "2.5"])
        let msa = HL7Segment(id: "MSA", rawFields: ["AA", "MSG0001"])
        let built = HL7Message(segments: [msh, msa])
        let text = HL7Encoder().encode(built)
        #expect(text == "MSH|^~\\&|APP|FAC|||2024||ACK^A01|1|P|2.5\rMSA|AA|MSG0001\r")
        let reread = try HL7Message(parsing: Array(text.utf8))
        #expect(reread["MSA-2"] == "MSG0001" && reread.segments == built.segments)
        #expect(HL7Encoder(segmentTerminator: "\n").encode(built).hasSuffix("MSA|AA|MSG0001\n"))
    }
}
