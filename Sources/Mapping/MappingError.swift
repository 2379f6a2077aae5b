/// Why a message could not be turned into FHIR, and where, so that the ACK can carry an ERR segment.
public struct MappingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure, which decides the acknowledgement code.
    public enum Kind: String, Sendable, Hashable {
        /// No mapping handles this message type and trigger: acknowledge with `AR`.
        case unsupportedMessageType
        /// The message is of a supported type but its content cannot be mapped (a required field missing, a bad
        /// date, an unknown code in a closed table): acknowledge with `AE`.
        case invalidContent
        /// The mapping files themselves are wrong (bad YAML, unknown converter, missing table): raised by `load`.
        case invalidMapping
    }

    /// What kind of failure.
    public var kind: Kind
    /// A sentence for people (log, ERR-8).
    public var message: String
    /// The segment ID where the problem is (ERR-2.1), when known.
    public var segment: String?
    /// Which segment of that ID (1-based, ERR-2.2), when known.
    public var occurrence: Int?
    /// The field number (ERR-2.3), when known.
    public var field: Int?
    /// For `invalidMapping`: the mapping file and the line or key where it went wrong.
    public var file: String?

    /// An error of `kind` with a message and an optional location.
    public init(_ kind: Kind, _ message: String, segment: String? = nil, occurrence: Int? = nil, field: Int? = nil,
                file: String? = nil) {
        self.kind = kind
        self.message = message
        self.segment = segment
        self.occurrence = occurrence
        self.field = field
        self.file = file
    }

    /// The message, with the location in front when there is one.
    public var description: String {
        var location = ""
        if let file { location += "\(file): " }
        if let segment {
            location += segment
            if let occurrence, occurrence > 1 { location += "[\(occurrence)]" }
            if let field { location += "-\(field)" }
            location += ": "
        }
        return location + message
    }
}
