/// Writes messages, batches and segments as ER7: the exact inverse of reading for well-formed input, since
/// every field is written with the text it was read with.
///
/// Segments end with `segmentTerminator` (CR, as the standard requires); `encodeBytes` writes the text in
/// the message's character set (Latin-1 for `8859/1`, UTF-8 otherwise).
public struct HL7Encoder: Sendable {
    /// What ends each segment; CR by default.
    public var segmentTerminator: String

    /// An encoder ending segments with `segmentTerminator`.
    public init(segmentTerminator: String = "\r") {
        self.segmentTerminator = segmentTerminator
    }

    /// One segment without its terminator: `PID|1||123^^^HOSP^MR`.
    public func encode(_ segment: HL7Segment) -> String {
        var bytes: [UInt8] = []
        append(segment, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The message as ER7 text, each segment followed by the terminator.
    public func encode(_ message: HL7Message) -> String {
        String(decoding: encodeUTF8(segments: message.segments), as: UTF8.self)
    }

    /// The message as bytes in its character set.
    /// - Throws: `.unencodableCharacter` when a Latin-1 message holds a character above U+00FF.
    public func encodeBytes(_ message: HL7Message) throws(HL7ParseError) -> [UInt8] {
        guard message.characterSet == .latin1 else { return encodeUTF8(segments: message.segments) }
        return try message.characterSet.encode(encode(message))
    }

    /// The batch as ER7 text: FHS, then each BHS, its messages and BTS, then FTS (those present).
    public func encode(_ batch: HL7Batch) -> String {
        String(decoding: encodeUTF8(segments: batch.allSegments), as: UTF8.self)
    }

    /// The batch as bytes in its character set.
    /// - Throws: `.unencodableCharacter` when a Latin-1 batch holds a character above U+00FF.
    public func encodeBytes(_ batch: HL7Batch) throws(HL7ParseError) -> [UInt8] {
        guard batch.characterSet == .latin1 else { return encodeUTF8(segments: batch.allSegments) }
        return try batch.characterSet.encode(encode(batch))
    }

    /// The segments as UTF-8, each followed by the terminator; fields are copied from the bytes they were read from.
    func encodeUTF8(segments: [HL7Segment]) -> [UInt8] {
        var capacity = 0
        for segment in segments {
            capacity += 4 + segmentTerminator.utf8.count
            switch segment.storage {
            case .slices(_, let bounds, _):
                if let first = bounds.first, let last = bounds.last { capacity += Int(last - first) + 1 }
            case .fields(let fields):
                for field in fields { capacity += field.range.count + 1 }
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(capacity)
        for segment in segments {
            append(segment, to: &bytes)
            bytes.append(contentsOf: segmentTerminator.utf8)
        }
        return bytes
    }

    /// Appends one segment without its terminator. MSH-1 is the separator itself and is written once, right
    /// after the ID.
    func append(_ segment: HL7Segment, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: segment.id.utf8)
        switch segment.storage {
        case .slices(let text, let bounds, let header):
            // Fields as read lie one after the other, a separator between each (none between MSH-1 and MSH-2):
            // the segment after its ID is one run of the input.
            guard let first = bounds.first, let last = bounds.last else { return }
            let start = Int(first) - (header ? 0 : 1)
            text.bytes.withUnsafeBufferPointer { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[start..<Int(last)])) }
        case .fields(let fields):
            guard let first = fields.first else { return }
            let field = first.encoding.field
            if field.isASCII {
                append(fields, header: segment.isHeader, separator: CollectionOfOne(UInt8(truncatingIfNeeded: field.value)),
                       to: &bytes)
            } else {
                append(fields, header: segment.isHeader, separator: Array(String(field).utf8), to: &bytes)
            }
        }
    }

    private func append(_ fields: [HL7Field], header: Bool, separator: some Collection<UInt8>, to bytes: inout [UInt8]) {
        for (offset, field) in fields.enumerated() {
            // A header writes MSH-1 (the separator, as the field holds it) and MSH-2 with nothing between.
            if !header || offset > 1 { bytes.append(contentsOf: separator) }
            field.text.bytes.withUnsafeBufferPointer { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[field.range])) }
        }
    }
}
