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
        var text = segment.id
        guard let first = segment.fields.first else { return text }
        let separator = String(first.encoding.field)
        if segment.isHeader {
            // MSH-1 is the separator itself and is written once, right after the ID.
            text += first.raw
            for (offset, field) in segment.fields.dropFirst().enumerated() {
                if offset > 0 { text += separator }
                text += field.raw
            }
        } else {
            for field in segment.fields {
                text += separator
                text += field.raw
            }
        }
        return text
    }

    /// The message as ER7 text, each segment followed by the terminator.
    public func encode(_ message: HL7Message) -> String {
        encode(segments: message.segments)
    }

    /// The message as bytes in its character set.
    /// - Throws: `.unencodableCharacter` when a Latin-1 message holds a character above U+00FF.
    public func encodeBytes(_ message: HL7Message) throws(HL7ParseError) -> [UInt8] {
        try message.characterSet.encode(encode(message))
    }

    /// The batch as ER7 text: FHS, then each BHS, its messages and BTS, then FTS (those present).
    public func encode(_ batch: HL7Batch) -> String {
        encode(segments: batch.allSegments)
    }

    /// The batch as bytes in its character set.
    /// - Throws: `.unencodableCharacter` when a Latin-1 batch holds a character above U+00FF.
    public func encodeBytes(_ batch: HL7Batch) throws(HL7ParseError) -> [UInt8] {
        try batch.characterSet.encode(encode(batch))
    }

    func encode(segments: [HL7Segment]) -> String {
        var text = ""
        for segment in segments {
            text += encode(segment)
            text += segmentTerminator
        }
        return text
    }
}
