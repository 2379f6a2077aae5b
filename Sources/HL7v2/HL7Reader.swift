/// Limits and switches for reading ER7; the defaults suit real traffic (a message with an embedded PDF runs to
/// a few MB) while keeping adversarial input from using unbounded memory or time.
public struct HL7ParseOptions: Sendable, Hashable {
    /// Largest input accepted, in bytes (64 MiB).
    public var maxInputBytes = 64 << 20
    /// Most segments in one input, all messages of a batch together (100,000).
    public var maxSegments = 100_000
    /// Most fields in one segment (1,000).
    public var maxFieldsPerSegment = 1_000
    /// Most repetitions in one field (10,000).
    public var maxRepetitionsPerField = 10_000
    /// Most messages in one batch stream (100,000).
    public var maxMessagesPerBatch = 100_000
    /// Whether a BTS-1/FTS-1 count that disagrees with the batch is an error (`.batchCountMismatch`) rather
    /// than an entry in `HL7Batch.warnings`. Off by default: the counts are informative in the standard.
    public var strictBatchCounts = false

    /// The defaults.
    public init() {}
}

/// Turns ER7 bytes into segments: BOM, character set (MSH-18), segment terminators (CR, LF, CRLF; blank and
/// blank-looking lines skipped), delimiters from each header segment (MSH/FHS/BHS), segment IDs and limits.
///
/// One pass over the bytes after the character set check: each field becomes a range of one shared `HL7Text`
/// (no string is made until a value is read). Work is linear in the input and every allocation is bounded by it.
enum HL7Reader {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A

    /// The segments of `input` in order, and the character set its bytes were read in. With `decoded`, the
    /// input is the UTF-8 of text already decoded, and MSH-18 only names the set for writing.
    static func read(_ input: [UInt8], options: HL7ParseOptions,
                     decoded: Bool = false) throws(HL7ParseError) -> ([HL7Segment], HL7CharacterSet) {
        guard input.count <= options.maxInputBytes else {
            throw HL7ParseError(.limitExceeded, reason: "input of \(input.count) bytes exceeds the limit of \(options.maxInputBytes)")
        }
        let bomLength = input.count >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF ? 3 : 0
        guard input[bomLength...].contains(where: { !isBlank($0) }) else {
            throw HL7ParseError(.emptyInput, reason: "the input holds no segment")
        }
        let head = input[bomLength...].prefix(3)
        guard head.elementsEqual("MSH".utf8) || head.elementsEqual("FHS".utf8) || head.elementsEqual("BHS".utf8) else {
            let shown = String(decoding: head.map { $0 >= 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
            throw HL7ParseError(.missingHeader, segmentIndex: 1,
                                reason: "the input starts with \"\(shown)\", not with an MSH, FHS or BHS segment")
        }
        let declared = declaredCharacterSet(input, from: bomLength)
        let (bytes, start, characterSet) = try decoded
            ? (input, bomLength, HL7CharacterSet.forDecodedText(input[bomLength...], declaredName: declared))
            : HL7CharacterSet.decode(input, from: bomLength, declaredName: declared)
        var scanner = SegmentScanner(bytes: bytes, characterSet: characterSet, options: options)
        try scanner.scan(from: start)
        return (scanner.segments, characterSet)
    }

    /// MSH-18 (first repetition, first component) of the first MSH in the raw bytes, trimmed; empty when absent.
    static func declaredCharacterSet(_ bytes: [UInt8], from start: Int) -> String {
        var lineStart = start
        let count = bytes.count
        while lineStart < count {
            var lineEnd = lineStart
            while lineEnd < count, bytes[lineEnd] != cr, bytes[lineEnd] != lf { lineEnd += 1 }
            let line = bytes[lineStart..<lineEnd]
            if line.count > 4, line.prefix(3).elementsEqual("MSH".utf8) {
                let separator = line[lineStart + 3]
                // Fields are counted from the separator after `MSH` (MSH-1): MSH-2 starts at lineStart + 4.
                var field = 2
                var index = lineStart + 4
                var msh2End = lineEnd
                while index < lineEnd, field < 18 {
                    if line[index] == separator {
                        if field == 2 { msh2End = index }
                        field += 1
                    }
                    index += 1
                }
                guard field == 18 else { return "" }
                let delimiters = line[(lineStart + 4)..<msh2End]
                var valueEnd = index
                while valueEnd < lineEnd, line[valueEnd] != separator, !delimiters.contains(line[valueEnd]) { valueEnd += 1 }
                return String(decoding: line[index..<valueEnd], as: UTF8.self).trimmingSpaces()
            }
            lineStart = lineEnd + 1
        }
        return ""
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == cr || byte == lf }
}

/// The segment loop of `HL7Reader.read`: finds each line, its ID and its fields, applying the limits.
///
/// Lines and separators are found eight bytes at a time (a word compared with each byte of interest at once);
/// each segment keeps its fields as offsets into the shared bytes.
struct SegmentScanner {
    let bytes: [UInt8]
    let characterSet: HL7CharacterSet
    let options: HL7ParseOptions
    var segments: [HL7Segment] = []
    /// The delimiters of the last header segment, shared by the fields after it.
    var text: HL7Text

    init(bytes: [UInt8], characterSet: HL7CharacterSet, options: HL7ParseOptions) {
        self.bytes = bytes
        self.characterSet = characterSet
        self.options = options
        self.text = HL7Text(bytes: bytes, encoding: .standard, characterSet: characterSet)
        segments.reserveCapacity(min(bytes.count / 64 + 4, options.maxSegments))
    }

    mutating func scan(from start: Int) throws(HL7ParseError) {
        guard bytes.count <= Int(UInt32.max) else {
            throw HL7ParseError(.limitExceeded, reason: "input of \(bytes.count) bytes is over 4 GiB")
        }
        let count = bytes.count
        var lineStart = start
        while lineStart < count {
            var separator = UInt8(truncatingIfNeeded: text.encoding.field.value)
            let lineEnd: Int
            var separators: Int
            (lineEnd, separators) = ByteScan.lineEnd(in: bytes, from: lineStart, counting: separator)
            if !isBlank(lineStart..<lineEnd) {
                guard segments.count < options.maxSegments else {
                    throw HL7ParseError(.limitExceeded, segmentIndex: segments.count + 1,
                                        reason: "more than \(options.maxSegments) segments")
                }
                let line = lineStart..<lineEnd
                let index = segments.count + 1
                if let id = headerID(line) {
                    let encoding = try headerEncoding(line, index: index, id: id)
                    if encoding != text.encoding { text = HL7Text(bytes: bytes, encoding: encoding, characterSet: characterSet) }
                    let written = UInt8(truncatingIfNeeded: encoding.field.value)
                    if written != separator {
                        separator = written
                        separators = ByteScan.lineEnd(in: bytes, from: lineStart, counting: separator).separators
                    }
                    segments.append(try readFields(line, id: id, header: true, fieldCount: separators + 1, index: index))
                } else {
                    let idEnd = ByteScan.firstIndex(of: separator, in: bytes, line) ?? lineEnd
                    guard HL7Segment.isValidID(bytes[lineStart..<idEnd]) else {
                        let shown = String(decoding: bytes[lineStart..<idEnd].prefix(12), as: UTF8.self)
                        throw HL7ParseError(.invalidSegmentID, segmentIndex: index,
                                            reason: "\"\(shown)\" is not a segment ID (three characters: A-Z, then A-Z or 0-9)")
                    }
                    let id = String(decoding: bytes[lineStart..<idEnd], as: UTF8.self)
                    segments.append(try readFields(line, id: id, header: false, fieldCount: separators, index: index))
                }
            }
            lineStart = lineEnd + 1
        }
    }

    /// Whether the line holds only spaces and tabs (or nothing).
    func isBlank(_ line: Range<Int>) -> Bool {
        for position in line where bytes[position] != 0x20 && bytes[position] != 0x09 { return false }
        return true
    }

    /// `MSH`, `FHS` or `BHS` when the line starts with one of them.
    func headerID(_ line: Range<Int>) -> String? {
        guard line.count >= 3 else { return nil }
        let (first, second, third) = (bytes[line.lowerBound], bytes[line.lowerBound + 1], bytes[line.lowerBound + 2])
        switch (first, second, third) {
        case (UInt8(ascii: "M"), UInt8(ascii: "S"), UInt8(ascii: "H")): return "MSH"
        case (UInt8(ascii: "F"), UInt8(ascii: "H"), UInt8(ascii: "S")): return "FHS"
        case (UInt8(ascii: "B"), UInt8(ascii: "H"), UInt8(ascii: "S")): return "BHS"
        default: return nil
        }
    }

    /// The fields of one line (`fieldCount` of them, from the separators counted), after the limits.
    func readFields(_ line: Range<Int>, id: String, header: Bool, fieldCount: Int,
                    index: Int) throws(HL7ParseError) -> HL7Segment {
        let maxFields = options.maxFieldsPerSegment
        let separator = UInt8(truncatingIfNeeded: text.encoding.field.value)
        let bytes = bytes
        let stored = max(min(fieldCount, maxFields + 1), header ? 2 : 0)
        let bounds = [UInt32](unsafeUninitializedCapacity: 2 * stored) { buffer, initialized in
            bytes.withUnsafeBufferPointer { input in
                var cursor: Int
                var number = 0
                if header {
                    // MSH-1 is the separator, MSH-2 runs to the next separator.
                    let msh2End = ByteScan.firstIndex(of: separator, in: input, (line.lowerBound + 4)..<line.upperBound)
                        ?? line.upperBound
                    buffer[0] = UInt32(line.lowerBound + 3)
                    buffer[1] = UInt32(line.lowerBound + 4)
                    buffer[2] = UInt32(line.lowerBound + 4)
                    buffer[3] = UInt32(msh2End)
                    number = 2
                    cursor = msh2End
                } else {
                    cursor = ByteScan.firstIndex(of: separator, in: input, line) ?? line.upperBound
                }
                // `cursor` sits on a field separator: each one opens one more field.
                while number < buffer.count / 2 {
                    let fieldStart = cursor + 1
                    let fieldEnd = number == fieldCount - 1
                        ? line.upperBound
                        : ByteScan.firstIndex(of: separator, in: input, fieldStart..<line.upperBound) ?? line.upperBound
                    buffer[2 * number] = UInt32(fieldStart)
                    buffer[2 * number + 1] = UInt32(fieldEnd)
                    number += 1
                    cursor = fieldEnd
                }
            }
            initialized = buffer.count
        }
        try checkRepetitions(bounds, fields: min(fieldCount, maxFields), index: index, id: id)
        guard fieldCount <= maxFields else {
            throw HL7ParseError(.limitExceeded, segmentIndex: index, segmentID: id, field: maxFields + 1,
                                reason: "more than \(maxFields) fields in one segment")
        }
        return HL7Segment(id: id, text: text, bounds: bounds, header: header)
    }

    /// Applies `maxRepetitionsPerField`; only fields long enough to pass it are counted.
    func checkRepetitions(_ bounds: [UInt32], fields: Int, index: Int, id: String) throws(HL7ParseError) {
        let limit = options.maxRepetitionsPerField
        let repetitionLead = text.encoding.repetition.utf8.first ?? 0
        var number = 0
        while number < fields {
            let range = Int(bounds[2 * number])..<Int(bounds[2 * number + 1])
            if range.count >= limit {
                var repetitions = 1
                for position in range where bytes[position] == repetitionLead { repetitions += 1 }
                guard repetitions <= limit else {
                    throw HL7ParseError(.limitExceeded, segmentIndex: index, segmentID: id, field: number + 1,
                                        reason: "more than \(limit) repetitions in one field")
                }
            }
            number += 1
        }
    }

    /// The delimiters a header segment (`MSH|^~\&|...`) declares.
    func headerEncoding(_ line: Range<Int>, index: Int, id: String) throws(HL7ParseError) -> HL7EncodingCharacters {
        guard line.count >= 4 else {
            throw HL7ParseError(.invalidFieldSeparator, segmentIndex: index, segmentID: id, field: 1,
                                reason: "\(id) ends before its field separator")
        }
        let separator = bytes[line.lowerBound + 3]
        guard separator < 0x80 else {
            throw HL7ParseError(.invalidFieldSeparator, segmentIndex: index, segmentID: id, field: 1,
                                reason: "the field separator is not an ASCII character")
        }
        let msh2Start = line.lowerBound + 4
        let msh2End = bytes[msh2Start..<line.upperBound].firstIndex(of: separator) ?? line.upperBound
        if separator == text.encoding.field.value, text.encoding.isWritten(as: bytes[msh2Start..<msh2End]) {
            return text.encoding
        }
        let written = String(decoding: bytes[msh2Start..<msh2End], as: UTF8.self)
        do {
            return try HL7EncodingCharacters(fieldSeparator: Unicode.Scalar(separator), encodingCharacters: written)
        } catch {
            var located = error
            located.segmentIndex = index
            located.segmentID = id
            throw located
        }
    }
}

extension String {
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars.drop(while: { $0 == " " })
        return String(String.UnicodeScalarView(scalars.reversed().drop(while: { $0 == " " }).reversed()))
    }
}
