/// Several messages in one stream: an HL7 batch file (`[FHS] {[BHS] {MSH...} [BTS]} [FTS]`) or a plain
/// sequence of messages with no envelope (`MSH... MSH...`).
///
/// Rules applied when reading:
/// - FHS only as the first segment, FTS only as the last;
/// - BHS opens a batch that BTS closes; a BHS inside an open batch is an error; a BHS never closed is
///   accepted with a warning; a BTS with no BHS closes the messages before it (as python-hl7 reads them);
/// - every other segment belongs to the message of the MSH before it; a segment with no MSH before it
///   (`BHS`, then `EVN`) is an error;
/// - counts: BTS-1 is compared with the messages of its batch and FTS-1 with the number of batches in the
///   file (groups, with or without BHS). A mismatch is added to `warnings`, or thrown as `.batchCountMismatch` with
///   `HL7ParseOptions.strictBatchCounts`.
/// Each message takes its delimiters from its own MSH; the character set is read from the first MSH-18.
public struct HL7Batch: Sendable, Hashable {
    /// One BHS ... BTS group, or the messages of a stream without BHS.
    public struct Group: Sendable, Hashable {
        /// The BHS segment, nil for messages outside any BHS.
        public var header: HL7Segment?
        /// The messages, in order.
        public var messages: [HL7Message]
        /// The BTS segment, when written.
        public var trailer: HL7Segment?

        /// A group from its parts.
        public init(header: HL7Segment? = nil, messages: [HL7Message] = [], trailer: HL7Segment? = nil) {
            self.header = header
            self.messages = messages
            self.trailer = trailer
        }
    }

    /// The FHS segment, when the stream is a batch file.
    public var fileHeader: HL7Segment?
    /// The batches in order (one group without header for a stream of bare messages).
    public var groups: [Group]
    /// The FTS segment, when written.
    public var fileTrailer: HL7Segment?
    /// How the bytes were read, and how `HL7Encoder` writes them.
    public var characterSet: HL7CharacterSet
    /// Problems that do not stop reading: count mismatches, a BHS never closed.
    public var warnings: [HL7ParseError]

    /// A batch from its parts.
    public init(fileHeader: HL7Segment? = nil, groups: [Group], fileTrailer: HL7Segment? = nil,
                characterSet: HL7CharacterSet = .utf8, warnings: [HL7ParseError] = []) {
        self.fileHeader = fileHeader
        self.groups = groups
        self.fileTrailer = fileTrailer
        self.characterSet = characterSet
        self.warnings = warnings
    }

    /// Reads a batch file or a stream of messages from bytes (also accepts a single message).
    /// - Throws: `HL7ParseError` with the segment where the structure breaks, or any error of a message.
    public init(parsing bytes: [UInt8], options: HL7ParseOptions = HL7ParseOptions()) throws(HL7ParseError) {
        let (segments, characterSet) = try HL7Reader.read(bytes, options: options)
        try self.init(segments: segments, characterSet: characterSet, options: options)
    }

    /// Reads a batch from text that is already decoded.
    public init(parsing text: String, options: HL7ParseOptions = HL7ParseOptions()) throws(HL7ParseError) {
        let (segments, characterSet) = try HL7Reader.read(Array(text.utf8), options: options, decoded: true)
        try self.init(segments: segments, characterSet: characterSet, options: options)
    }

    /// Every message of every group, in order.
    public var messages: [HL7Message] { groups.flatMap(\.messages) }

    /// Every segment in stream order: FHS, each group's BHS, messages and BTS, then FTS.
    public var allSegments: [HL7Segment] {
        var segments: [HL7Segment] = []
        if let fileHeader { segments.append(fileHeader) }
        for group in groups {
            if let header = group.header { segments.append(header) }
            for message in group.messages { segments += message.segments }
            if let trailer = group.trailer { segments.append(trailer) }
        }
        if let fileTrailer { segments.append(fileTrailer) }
        return segments
    }

    init(segments: [HL7Segment], characterSet: HL7CharacterSet, options: HL7ParseOptions) throws(HL7ParseError) {
        var builder = HL7BatchBuilder(options: options, characterSet: characterSet)
        var index = 0
        while index < segments.count {
            let segment = segments[index]
            let position = index + 1
            switch segment.id {
            case "MSH":
                var end = index + 1
                while end < segments.count, !HL7Message.isEnvelope(segments[end].id) { end += 1 }
                let message = try HL7Message(segments: Array(segments[index..<end]), firstIndex: position,
                                             characterSet: characterSet)
                try builder.add(message, at: position)
                index = end
                continue
            case "FHS":
                guard index == 0 else { throw builder.misplaced(segment, at: position, "FHS only starts a file") }
                builder.fileHeader = segment
            case "FTS":
                guard index == segments.count - 1 else {
                    throw builder.misplaced(segment, at: position, "FTS can only be the last segment")
                }
                try builder.closeFile(segment, at: position)
            case "BHS":
                try builder.openBatch(segment, at: position)
            case "BTS":
                try builder.closeBatch(segment, at: position)
            default:
                throw builder.misplaced(segment, at: position, "\(segment.id) is outside any message (no MSH before it)")
            }
            index += 1
        }
        self = builder.batch()
    }
}
