/// Why an HL7v2 message, batch or path could not be read, and where.
///
/// Positions use the standard's numbering: `segmentIndex` counts segments from 1 in the input (blank lines
/// are not counted), `field` is the field number as in `PID-5` (for `MSH`, field 1 is the field separator).
public struct HL7ParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is; compare against the static members (`.invalidSegmentID`, ...).
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private let code: String
        private init(_ code: String) { self.code = code }
        public var description: String { code }

        /// The input holds no segment at all.
        public static let emptyInput = Kind("emptyInput")
        /// The first segment is not `MSH` (or `FHS`/`BHS` for a batch).
        public static let missingHeader = Kind("missingHeader")
        /// MSH-1 is missing or is a character that cannot be a separator.
        public static let invalidFieldSeparator = Kind("invalidFieldSeparator")
        /// MSH-2 is too short, too long, repeats a character or holds one that cannot be a delimiter.
        public static let invalidEncodingCharacters = Kind("invalidEncodingCharacters")
        /// A segment does not start with a three-character segment ID (`[A-Z][A-Z0-9]{2}`).
        public static let invalidSegmentID = Kind("invalidSegmentID")
        /// A field the standard requires for reading the message is empty (MSH-9).
        public static let missingRequiredField = Kind("missingRequiredField")
        /// MSH-12 is written but is not an HL7 v2 version (`2.5`, `2.5.1`).
        public static let invalidVersion = Kind("invalidVersion")
        /// The bytes are not valid in the character set MSH-18 declares.
        public static let invalidCharacterEncoding = Kind("invalidCharacterEncoding")
        /// A segment appears where it cannot (a second MSH in one message, BHS inside a batch, ...).
        public static let unexpectedSegment = Kind("unexpectedSegment")
        /// A BTS/FTS count disagrees with what the batch holds (only with `strictBatchCounts`).
        public static let batchCountMismatch = Kind("batchCountMismatch")
        /// The input passes one of the configured limits (size, segments, fields, repetitions, messages).
        public static let limitExceeded = Kind("limitExceeded")
        /// A terser-style path (`PID-5.1`) is not well formed.
        public static let invalidPath = Kind("invalidPath")
        /// A character cannot be written in the message's character set (Latin-1 output).
        public static let unencodableCharacter = Kind("unencodableCharacter")
        /// A v2.xml document was refused by the XML parser (not well formed, a DTD or entity, a limit); the reason
        /// gives the XML line and column.
        public static let invalidXML = Kind("invalidXML")
        /// A v2.xml document is well-formed XML but not laid out as v2.xml (an element where a segment, field or
        /// component should be, text between segments, nesting below sub-components).
        public static let invalidXMLStructure = Kind("invalidXMLStructure")
    }

    /// What went wrong.
    public var kind: Kind
    /// 1-based index of the segment in the input, when the problem is in one.
    public var segmentIndex: Int?
    /// The segment's ID (`PID`), when known.
    public var segmentID: String?
    /// Field number in spec numbering (`5` for `PID-5`), when the problem is in one field.
    public var field: Int?
    /// A sentence for people: what was found and what was expected.
    public var reason: String

    /// Makes an error; positions are optional because some problems (an empty input) have none.
    public init(_ kind: Kind, segmentIndex: Int? = nil, segmentID: String? = nil, field: Int? = nil, reason: String) {
        self.kind = kind
        self.segmentIndex = segmentIndex
        self.segmentID = segmentID
        self.field = field
        self.reason = reason
    }

    /// `invalidSegmentID at segment 3 (PID), field 5: reason`.
    public var description: String {
        var text = "\(kind)"
        if let segmentIndex {
            text += " at segment \(segmentIndex)"
            if let segmentID { text += " (\(segmentID))" }
        } else if let segmentID {
            text += " in \(segmentID)"
        }
        if let field { text += ", field \(field)" }
        return text + ": " + reason
    }
}
