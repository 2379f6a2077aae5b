/// Why an XML document or a selector was refused, and where (1-based line and column when known).
public struct SafeXMLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is; compare against the static members (`.doctypeForbidden`, ...).
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private let code: String
        private init(_ code: String) { self.code = code }
        public var description: String { code }

        /// The input holds no element.
        public static let emptyDocument = Kind("emptyDocument")
        /// The input is larger than `maximumBytes`.
        public static let documentTooLarge = Kind("documentTooLarge")
        /// Elements nest deeper than `maximumDepth`.
        public static let tooDeep = Kind("tooDeep")
        /// The document holds more than `maximumElements` elements.
        public static let tooManyElements = Kind("tooManyElements")
        /// One element has more than `maximumAttributesPerElement` attributes.
        public static let tooManyAttributes = Kind("tooManyAttributes")
        /// An attribute value is longer than `maximumAttributeLength` bytes.
        public static let attributeTooLong = Kind("attributeTooLong")
        /// The document has a DOCTYPE with an internal subset, a second or misplaced one, or any DOCTYPE when
        /// external ones are not accepted (DTDs are never read).
        public static let doctypeForbidden = Kind("doctypeForbidden")
        /// The document declares an entity (`<!ENTITY`) or holds another markup declaration.
        public static let entityForbidden = Kind("entityForbidden")
        /// The bytes are not valid in the document's encoding, or the encoding is not one that is accepted.
        public static let invalidEncoding = Kind("invalidEncoding")
        /// libxml2 found the document not well formed (unclosed tag, undeclared entity, ...).
        public static let notWellFormed = Kind("notWellFormed")
        /// An element or attribute uses a namespace prefix that no `xmlns:` declaration in scope defines.
        public static let undeclaredPrefix = Kind("undeclaredPrefix")
        /// A selector (`SafeXMLPath`) is not in the supported syntax.
        public static let invalidPath = Kind("invalidPath")
    }

    /// What went wrong.
    public var kind: Kind
    /// 1-based line in the document, when known.
    public var line: Int?
    /// 1-based column (in bytes) in the document, when known.
    public var column: Int?
    /// A sentence for people: what was found and what was expected.
    public var reason: String

    /// Makes an error; positions are optional because some problems (a size limit) have none.
    public init(_ kind: Kind, line: Int? = nil, column: Int? = nil, reason: String) {
        self.kind = kind
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// `doctypeForbidden at line 2, column 1: reason`.
    public var description: String {
        var text = "\(kind)"
        if let line {
            text += " at line \(line)"
            if let column { text += ", column \(column)" }
        }
        return text + ": " + reason
    }
}
