import Foundation
import Testing
@testable import HL7v2

/// Compares this parser with python-hl7 0.4.5 on every well-formed message of the shared corpus
/// (`scripts/hl7v2-golden` wrote what python-hl7 found): the same segments, and in each segment the same
/// non-empty leaves (field.repetition.component.subcomponent, text as written), compared through a digest.
///
/// Deliberate differences, and why (values are unescaped the standard's way, python-hl7's differ):
/// - `\H\` and `\N\` (highlighting) give no text here; python-hl7 writes `_`.
/// - `\.br\`, `\.sp\`, `\.ce\` give a line feed here; python-hl7 a CR (the segment terminator, unusable in text).
/// - `\.in\`, `\.ti\` (indents) give nothing here; python-hl7 four spaces; `\.sk n\` is n spaces in both.
/// - `\Xhh..\` bytes are read in the message's character set here (UTF-8 `\XC3A9\` is `é`); python-hl7 makes
///   each byte a Latin-1 character.
/// - unknown, local (`\Zxx\`), empty or unterminated sequences are kept as written here; python-hl7 drops them.
/// - MSH-2 `^~\\&` (a doubled escape character, two corpus files): python-hl7 takes the second `\` as the
///   subcomponent separator; this parser reads the doubled escape once, so `&` separates subcomponents.
/// - python-hl7 splits a stream of several messages with the first header's delimiters; this parser uses
///   each MSH's own (no corpus file has messages with different delimiters, so this never shows).
@Suite("HL7v2: field values against python-hl7")
struct PythonHL7GoldenTests {
    static let goldenURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden/python-hl7.json")

    @Test("same segments and leaves as python-hl7 on the corpus; escapes differ only where documented",
          .enabled(if: SharedCorpus.available, "../shared/corpus/hl7v2 is absent: python-hl7 comparison skipped"))
    func matchesPythonHL7() throws {
        let golden = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.goldenURL)) as? [String: Any])
        let messages = try #require(golden["messages"] as? [String: [String: Any]])
        var agreeing = 0, escapesCompared = 0, doubledEscapeFiles = 0
        var documented: [String] = []
        var mismatches: [String] = []
        for (name, bytes) in try SharedCorpus.files() {
            guard let expected = messages[name] else { continue }
            let segments = try Self.segments(name: name, bytes: bytes)
            let expectedSegments = try #require(expected["segments"] as? [[Any]])
            var same = segments.count == expectedSegments.count
            let doubledEscape = segments.first?.field(2).map { Self.hasDoubledEscape($0.raw) } ?? false
            for (segment, row) in zip(segments, expectedSegments) {
                let (count, digest) = Self.listing(segment)
                if row.count != 3 || segment.id != row[0] as? String || count != row[1] as? Int || digest != row[2] as? String {
                    same = false
                    let difference = "\(name) \(segment.id): ours \(count) leaves \(digest), python-hl7 \(row)"
                    if doubledEscape { documented.append(difference) } else { mismatches.append(difference) }
                }
            }
            if same { agreeing += 1 } else if doubledEscape { doubledEscapeFiles += 1 }
            for entry in expected["escaped"] as? [[Any]] ?? [] {
                guard entry.count == 3, let index = entry[0] as? Int, let position = entry[1] as? String,
                      let theirs = entry[2] as? String, index >= 1, index <= segments.count else { continue }
                escapesCompared += 1
                let segment = segments[index - 1]
                let (raw, ours) = Self.leaf(segment, position)
                if ours == theirs || ours == theirs.replacingOccurrences(of: "\r", with: "\n") { continue }
                let where_ = "\(name) \(segment.id)-\(position) \(raw.debugDescription): ours \(ours.debugDescription), python-hl7 \(theirs.debugDescription)"
                if Self.isDocumentedDifference(raw, ours: ours, encoding: segment.fields.first?.encoding ?? .standard) {
                    documented.append(where_)
                } else {
                    mismatches.append(where_)
                }
            }
        }
        print("python-hl7 golden: \(messages.count) messages, \(agreeing) with the same segments and leaves; "
              + "\(doubledEscapeFiles) differing only by MSH-2 ^~\\\\&; \(escapesCompared) escaped values, \(documented.count) documented differences, \(mismatches.count) mismatches")
        for difference in documented { print("documented difference: " + difference) }
        for mismatch in mismatches { print("python-hl7 mismatch: " + mismatch) }
        #expect(messages.count > 800)
        #expect(agreeing + doubledEscapeFiles == messages.count)
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.prefix(20).joined(separator: "\n"))")
    }

    /// The file's segments in order, read as a batch under `BATCH/` and as one message elsewhere.
    static func segments(name: String, bytes: [UInt8]) throws -> [HL7Segment] {
        SharedCorpus.isBatch(name) ? try HL7Batch(parsing: bytes).allSegments : try HL7Message(parsing: bytes).segments
    }

    /// Leaf count and FNV-1a 64 digest of `f.r.c.s=text\n` for every non-empty leaf, as the script computes them.
    static func listing(_ segment: HL7Segment) -> (Int, String) {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var count = 0
        for (fieldIndex, field) in segment.fields.enumerated() {
            for (r, repetition) in field.repetitions.enumerated() {
                for (c, component) in repetition.components.enumerated() {
                    for (s, text) in component.rawSubcomponents.enumerated() where !text.isEmpty {
                        count += 1
                        for byte in "\(fieldIndex + 1).\(r + 1).\(c + 1).\(s + 1)=\(text)\n".utf8 {
                            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
                        }
                    }
                }
            }
        }
        let hex = String(hash, radix: 16)
        return (count, String(repeating: "0", count: 16 - hex.count) + hex)
    }

    /// The raw and unescaped text of the leaf at `f.r.c.s`.
    static func leaf(_ segment: HL7Segment, _ position: String) -> (String, String) {
        let numbers = position.split(separator: ".").compactMap { Int($0) }
        guard numbers.count == 4, let component = segment.field(numbers[0])?.repetition(numbers[1])?.component(numbers[2]),
              numbers[3] >= 1, numbers[3] <= component.rawSubcomponents.count else { return ("", "") }
        return (String(component.rawSubcomponents[numbers[3] - 1]), component.subcomponent(numbers[3]) ?? "")
    }

    /// MSH-2 such as `^~\\&`, whose escape character is doubled (see the list above).
    static func hasDoubledEscape(_ encodingCharacters: String) -> Bool {
        let scalars = Array(encodingCharacters.unicodeScalars)
        return scalars.count == 5 && scalars[2] == scalars[3]
    }

    /// Whether a difference comes from one of the escapes listed in this suite's documentation.
    static func isDocumentedDifference(_ raw: String, ours: String, encoding: HL7EncodingCharacters) -> Bool {
        let e = String(encoding.escape)
        let triggers = ["H", "N", ".in", ".ti", "X", "x", "Z"].map { e + $0 }
        return triggers.contains { raw.contains($0) } || ours.contains(e)
    }
}
