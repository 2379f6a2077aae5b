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
/// Work is linear in the input and every allocation is bounded by it.
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
        var raw = input
        if raw.starts(with: [0xEF, 0xBB, 0xBF]) { raw.removeFirst(3) }
        guard raw.contains(where: { !isBlank($0) }) else {
            throw HL7ParseError(.emptyInput, reason: "the input holds no segment")
        }
        let head = raw.prefix(3)
        guard head.elementsEqual("MSH".utf8) || head.elementsEqual("FHS".utf8) || head.elementsEqual("BHS".utf8) else {
            let shown = String(decoding: raw.prefix(3).map { $0 >= 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
            throw HL7ParseError(.missingHeader, segmentIndex: 1,
                                reason: "the input starts with \"\(shown)\", not with an MSH, FHS or BHS segment")
        }
        let declared = declaredCharacterSet(raw)
        let (bytes, characterSet) = try decoded
            ? (raw, HL7CharacterSet.forDecodedText(raw, declaredName: declared))
            : HL7CharacterSet.decode(raw, declaredName: declared)
        var segments: [HL7Segment] = []
        var encoding = HL7EncodingCharacters.standard
        var start = 0
        let count = bytes.count
        while start < count {
            var end = start
            while end < count, bytes[end] != cr, bytes[end] != lf { end += 1 }
            if bytes[start..<end].contains(where: { !isBlank($0) }) {
                guard segments.count < options.maxSegments else {
                    throw HL7ParseError(.limitExceeded, segmentIndex: segments.count + 1,
                                        reason: "more than \(options.maxSegments) segments")
                }
                let line = bytes[start..<end]
                let segment = try readSegment(line, index: segments.count + 1, encoding: &encoding,
                                              characterSet: characterSet, options: options)
                segments.append(segment)
            }
            start = end + 1
        }
        return (segments, characterSet)
    }

    /// One segment; a header segment first sets `encoding` from its own MSH-1/MSH-2.
    static func readSegment(_ line: ArraySlice<UInt8>, index: Int, encoding: inout HL7EncodingCharacters,
                            characterSet: HL7CharacterSet, options: HL7ParseOptions) throws(HL7ParseError) -> HL7Segment {
        let idBytes = line.prefix(3)
        let id = String(decoding: idBytes, as: UTF8.self)
        var fields: [HL7Field] = []
        var cursor = line.startIndex
        if HL7Segment.isHeader(id), line.count >= 3 {
            encoding = try headerEncoding(line, index: index, id: id)
            let separator = UInt8(truncatingIfNeeded: encoding.field.value)
            let msh2Start = line.startIndex + 4
            let msh2End = line[msh2Start...].firstIndex(of: separator) ?? line.endIndex
            fields.append(HL7Field(raw: String(encoding.field), encoding: encoding, characterSet: characterSet,
                                   holdsDelimiters: true))
            fields.append(HL7Field(raw: String(decoding: line[msh2Start..<msh2End], as: UTF8.self), encoding: encoding,
                                   characterSet: characterSet, holdsDelimiters: true))
            cursor = msh2End
        } else {
            let separator = UInt8(truncatingIfNeeded: encoding.field.value)
            let idEnd = line.firstIndex(of: separator) ?? line.endIndex
            guard HL7Segment.isValidID(line[line.startIndex..<idEnd]) else {
                let shown = String(decoding: line[line.startIndex..<idEnd].prefix(12), as: UTF8.self)
                throw HL7ParseError(.invalidSegmentID, segmentIndex: index,
                                    reason: "\"\(shown)\" is not a segment ID (three characters: A-Z, then A-Z or 0-9)")
            }
            cursor = idEnd
        }
        let separator = UInt8(truncatingIfNeeded: encoding.field.value)
        let repetitionLead = encoding.repetition.utf8.first ?? 0
        // `cursor` sits on a field separator (or the end): each separator opens one more field.
        while cursor < line.endIndex {
            let fieldStart = cursor + 1
            var fieldEnd = fieldStart
            var repetitions = 1
            while fieldEnd < line.endIndex, line[fieldEnd] != separator {
                if line[fieldEnd] == repetitionLead { repetitions += 1 }
                fieldEnd += 1
            }
            guard fields.count < options.maxFieldsPerSegment else {
                throw HL7ParseError(.limitExceeded, segmentIndex: index, segmentID: id, field: fields.count + 1,
                                    reason: "more than \(options.maxFieldsPerSegment) fields in one segment")
            }
            guard repetitions <= options.maxRepetitionsPerField else {
                throw HL7ParseError(.limitExceeded, segmentIndex: index, segmentID: id, field: fields.count + 1,
                                    reason: "more than \(options.maxRepetitionsPerField) repetitions in one field")
            }
            fields.append(HL7Field(raw: String(decoding: line[fieldStart..<fieldEnd], as: UTF8.self),
                                   encoding: encoding, characterSet: characterSet))
            cursor = fieldEnd
        }
        return HL7Segment(id: id, fields: fields)
    }

    /// The delimiters a header segment (`MSH|^~\&|...`) declares.
    static func headerEncoding(_ line: ArraySlice<UInt8>, index: Int, id: String) throws(HL7ParseError) -> HL7EncodingCharacters {
        guard line.count >= 4 else {
            throw HL7ParseError(.invalidFieldSeparator, segmentIndex: index, segmentID: id, field: 1,
                                reason: "\(id) ends before its field separator")
        }
        let separator = line[line.startIndex + 3]
        guard separator < 0x80 else {
            throw HL7ParseError(.invalidFieldSeparator, segmentIndex: index, segmentID: id, field: 1,
                                reason: "the field separator is not an ASCII character")
        }
        let msh2Start = line.startIndex + 4
        let msh2End = line[msh2Start...].firstIndex(of: separator) ?? line.endIndex
        let text = String(decoding: line[msh2Start..<msh2End], as: UTF8.self)
        do {
            return try HL7EncodingCharacters(fieldSeparator: Unicode.Scalar(separator), encodingCharacters: text)
        } catch {
            var located = error
            located.segmentIndex = index
            located.segmentID = id
            throw located
        }
    }

    /// MSH-18 (first repetition, first component) of the first MSH in the raw bytes, trimmed; empty when absent.
    static func declaredCharacterSet(_ bytes: [UInt8]) -> String {
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != cr, bytes[end] != lf { end += 1 }
            let line = bytes[start..<end]
            if line.count > 4, line.prefix(3).elementsEqual("MSH".utf8) {
                let separator = line[start + 3]
                let fields = line.split(separator: separator, omittingEmptySubsequences: false)
                guard fields.count > 17 else { return "" }
                let delimiters = Set(fields[1])
                let value = fields[17].prefix(while: { !delimiters.contains($0) })
                return String(decoding: value, as: UTF8.self).trimmingSpaces()
            }
            start = end + 1
        }
        return ""
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == cr || byte == lf }
}

extension String {
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars.drop(while: { $0 == " " })
        return String(String.UnicodeScalarView(scalars.reversed().drop(while: { $0 == " " }).reversed()))
    }
}
