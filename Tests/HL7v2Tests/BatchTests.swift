import Foundation
import Testing
@testable import HL7v2

/// Batch files (FHS/BHS/BTS/FTS, v2.5.1 chapter 2, 2.10.3) and header-less streams of messages.
@Suite("HL7v2: batches")
struct BatchTests {
    static let adt = "MSH|^~\\&|A|B|||2024||ADT^A04|%@|P|2.5\nEVN|A04\nPID|1||%@"

    static func adt(_ id: String) -> String { adt.replacingOccurrences(of: "%@", with: id) }

    @Test("a full batch file: FHS, BHS, messages, BTS, FTS")
    func fullFile() throws {
        let text = ["FHS|^~\\&|A|B|||2024||file.hl7", "BHS|^~\\&|A|B|||2024", BatchTests.adt("1"), BatchTests.adt("2"), "BTS|2",
                    "BHS|^~\\&|A|B|||2024", BatchTests.adt("3"), "BTS|1", "FTS|2"].joined(separator: "\n")
        let batch = try HL7Batch(parsing: er7(text))
        #expect(batch.fileHeader?[9] == "file.hl7")
        #expect(batch.groups.count == 2)
        #expect(batch.groups.map(\.messages.count) == [2, 1])
        #expect(batch.messages.map(\.controlID) == ["1", "2", "3"])
        #expect(batch.messages[2]["PID-3"] == "3")
        #expect(batch.warnings.isEmpty)
        #expect(HL7Encoder().encode(batch) == text.replacingOccurrences(of: "\n", with: "\r") + "\r")
    }

    @Test("a header-less stream of messages, each with its own delimiters")
    func headerless() throws {
        let text = BatchTests.adt("1") + "\n" + "MSH|^~$&|A|B|||2024||ADT^A08|2|P|2.5\nPID|1||a$F$b"
        let batch = try HL7Batch(parsing: er7(text))
        #expect(batch.fileHeader == nil && batch.groups.count == 1 && batch.groups[0].header == nil)
        #expect(batch.messages.count == 2)
        #expect(batch.messages[1]["PID-3"] == "a|b")
        #expect(batch.messages[1].encoding.escape == "$")
    }

    @Test("BTS and FTS counts that disagree are warnings, or errors when asked for")
    func counts() throws {
        let text = ["BHS|^~\\&|A", BatchTests.adt("1"), "BTS|3", "FTS|1"].joined(separator: "\n")
        let batch = try HL7Batch(parsing: er7(text))
        #expect(batch.warnings.map(\.kind) == [.batchCountMismatch])
        #expect(batch.warnings.first?.segmentID == "BTS" && batch.warnings.first?.field == 1)
        var strict = HL7ParseOptions()
        strict.strictBatchCounts = true
        #expect(parseError(er7(text), batch: true, options: strict)?.kind == .batchCountMismatch)
    }

    @Test("a BTS or FTS without its header closes what came before (as python-hl7 reads it)")
    func missingHeaders() throws {
        let batch = try HL7Batch(parsing: er7([BatchTests.adt("1"), "BTS|1", "FTS|1"].joined(separator: "\n")))
        #expect(batch.groups.count == 1 && batch.groups[0].trailer != nil && batch.fileTrailer != nil)
        #expect(batch.warnings.isEmpty)
    }

    @Test("broken structure is an error at the segment where it breaks", arguments: [
        (["BHS|^~\\&|A", "EVN|A04", "BTS|0"], 2, "EVN"),
        (["FHS|^~\\&|A", "BHS|^~\\&|A", BatchTests.adt("1"), "BHS|^~\\&|A", "BTS|1", "FTS|1"], 6, "BHS"),
        (["FHS|^~\\&|A", BatchTests.adt("1"), "FHS|^~\\&|A", "FTS|1"], 5, "FHS"),
        ([BatchTests.adt("1"), "FTS|1", BatchTests.adt("2")], 4, "FTS"),
        (["BHS|^~\\&|A", BatchTests.adt("1"), "BTS|1", "BTS|1"], 6, "BTS"),
    ])
    func brokenStructure(_ lines: [String], _ index: Int, _ id: String) {
        let error = parseError(er7(lines.joined(separator: "\n")), batch: true)
        #expect(error?.kind == .unexpectedSegment, "\(String(describing: error))")
        #expect(error?.segmentIndex == index && error?.segmentID == id, "\(String(describing: error))")
    }

    @Test("HL7Message refuses a batch or a second message and points at HL7Batch")
    func messageRefusesBatches() {
        #expect(parseError(er7("BHS|^~\\&|A\n" + BatchTests.adt("1")))?.kind == .missingHeader)
        let second = parseError(er7(BatchTests.adt("1") + "\n" + BatchTests.adt("2")))
        #expect(second?.kind == .unexpectedSegment && second?.segmentIndex == 4)
    }

    @Test("the number of messages in a batch is limited")
    func messageLimit() {
        var options = HL7ParseOptions()
        options.maxMessagesPerBatch = 2
        let text = [BatchTests.adt("1"), BatchTests.adt("2"), BatchTests.adt("3")].joined(separator: "\n")
        #expect(parseError(er7(text), batch: true, options: options)?.kind == .limitExceeded)
    }
}
