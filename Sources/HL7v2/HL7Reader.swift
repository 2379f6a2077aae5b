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
            let lineEnd = ByteScan.lineEnd(in: bytes, from: lineStart)
            if lineEnd - lineStart > 4, bytes[lineStart] == UInt8(ascii: "M"), bytes[lineStart + 1] == UInt8(ascii: "S"),
               bytes[lineStart + 2] == UInt8(ascii: "H") {
                let separator = bytes[lineStart + 3]
                // MSH-2 starts after MSH-1 (the separator); each further separator starts the next field.
                let msh2Start = lineStart + 4
                guard let msh2End = ByteScan.firstIndex(of: separator, in: bytes, msh2Start..<lineEnd) else { return "" }
                var fieldStart = msh2End + 1
                for _ in 3..<18 {
                    guard let end = ByteScan.firstIndex(of: separator, in: bytes, fieldStart..<lineEnd) else { return "" }
                    fieldStart = end + 1
                }
                let delimiters = bytes[msh2Start..<msh2End]
                var valueEnd = fieldStart
                while valueEnd < lineEnd, bytes[valueEnd] != separator, !delimiters.contains(bytes[valueEnd]) { valueEnd += 1 }
                return String(decoding: bytes[fieldStart..<valueEnd], as: UTF8.self).trimmingSpaces()
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
        // Separator offsets of the line being read; more than maxFieldsPerSegment + 1 are counted, not kept.
        let capacity = min(options.maxFieldsPerSegment, bytes.count) + 2
        let separators = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: capacity)
        defer { separators.deallocate() }
        let count = bytes.count
        var lineStart = start
        while lineStart < count {
            let header = headerID(from: lineStart)
            var separator = UInt8(truncatingIfNeeded: text.encoding.field.value)
            if header != nil, lineStart + 3 < count { separator = bytes[lineStart + 3] }
            let (lineEnd, found) = ByteScan.line(in: bytes, from: lineStart, separator: separator, into: separators)
            let line = lineStart..<lineEnd
            lineStart = lineEnd + 1
            if isBlank(line) { continue }
            let index = segments.count + 1
            guard segments.count < options.maxSegments else {
                throw HL7ParseError(.limitExceeded, segmentIndex: index, reason: "more than \(options.maxSegments) segments")
            }
            let kept = UnsafeBufferPointer(rebasing: separators[..<min(found, capacity)])
            if let id = header {
                let encoding = try headerEncoding(line, index: index, id: id)
                if encoding != text.encoding { text = HL7Text(bytes: bytes, encoding: encoding, characterSet: characterSet) }
                segments.append(try segment(line, id: id, header: true, separators: kept, found: found, index: index))
            } else {
                let idEnd = found > 0 ? Int(separators[0]) : lineEnd
                guard HL7Segment.isValidID(bytes[line.lowerBound..<idEnd]) else {
                    let shown = String(decoding: bytes[line.lowerBound..<idEnd].prefix(12), as: UTF8.self)
                    throw HL7ParseError(.invalidSegmentID, segmentIndex: index,
                                        reason: "\"\(shown)\" is not a segment ID (three characters: A-Z, then A-Z or 0-9)")
                }
                let id = String(decoding: bytes[line.lowerBound..<idEnd], as: UTF8.self)
                segments.append(try segment(line, id: id, header: false, separators: kept, found: found, index: index))
            }
        }
    }

    /// Whether the line holds only spaces and tabs (or nothing).
    func isBlank(_ line: Range<Int>) -> Bool {
        for position in line where bytes[position] != 0x20 && bytes[position] != 0x09 { return false }
        return true
    }

    /// `MSH`, `FHS` or `BHS` when the bytes at `start` are one of them.
    func headerID(from start: Int) -> String? {
        guard start + 3 <= bytes.count else { return nil }
        switch (bytes[start], bytes[start + 1], bytes[start + 2]) {
        case (UInt8(ascii: "M"), UInt8(ascii: "S"), UInt8(ascii: "H")): return "MSH"
        case (UInt8(ascii: "F"), UInt8(ascii: "H"), UInt8(ascii: "S")): return "FHS"
        case (UInt8(ascii: "B"), UInt8(ascii: "H"), UInt8(ascii: "S")): return "BHS"
        default: return nil
        }
    }

    /// The segment of one line from the offsets of its separators (`found` in all, the first ones kept), after
    /// the limits. Each separator opens a field; in a header the first one is MSH-1 itself and MSH-2 follows it.
    func segment(_ line: Range<Int>, id: String, header: Bool, separators: UnsafeBufferPointer<UInt32>, found: Int,
                 index: Int) throws(HL7ParseError) -> HL7Segment {
        let maxFields = options.maxFieldsPerSegment
        let fieldCount = header ? found + 1 : found
        let stored = min(fieldCount, maxFields + 1)
        let lineEnd = UInt32(line.upperBound)
        let limit = options.maxRepetitionsPerField
        var long = false
        let bounds = [UInt32](unsafeUninitializedCapacity: 2 * stored) { buffer, initialized in
            var number = 0
            var next = 0  // the separator that opens field `number`
            if header, stored >= 2 {
                buffer[0] = separators[0]
                buffer[1] = separators[0] + 1
                buffer[2] = separators[0] + 1
                buffer[3] = separators.count > 1 ? separators[1] : lineEnd
                number = 2
                next = 1
            }
            while number < stored {
                let start = separators[next] + 1
                let end = next + 1 < separators.count ? separators[next + 1] : lineEnd
                buffer[2 * number] = start
                buffer[2 * number + 1] = end
                if Int(end - start) >= limit { long = true }
                number += 1
                next += 1
            }
            initialized = 2 * number
        }
        if long { try checkRepetitions(bounds, fields: min(bounds.count / 2, maxFields), index: index, id: id) }
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
        guard utf8.first == UInt8(ascii: " ") || utf8.last == UInt8(ascii: " ") else { return self }
        let scalars = unicodeScalars.drop(while: { $0 == " " })
        return String(String.UnicodeScalarView(scalars.reversed().drop(while: { $0 == " " }).reversed()))
    }
}
