/// Why a store operation did not happen.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure; each maps to one HTTP status in the REST layer.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate let name: String
        /// No such resource (404).
        public static let notFound = Code(name: "notFound")
        /// The resource was deleted (410).
        public static let gone = Code(name: "gone")
        /// `If-Match` named another version (412).
        public static let versionConflict = Code(name: "versionConflict")
        /// A conditional interaction matched more than one resource (412).
        public static let multipleMatches = Code(name: "multipleMatches")
        /// The request conflicts with the stored state (409).
        public static let conflict = Code(name: "conflict")
        /// The request cannot be carried out as asked (400).
        public static let invalidRequest = Code(name: "invalidRequest")
        /// The request asks for something the hub does not support, such as an unsupported search
        /// parameter or modifier (400, `not-supported`).
        public static let notSupported = Code(name: "notSupported")
        /// A search ran longer than the search timeout and was stopped (408, `too-costly`).
        public static let tooCostly = Code(name: "tooCostly")
        /// The database failed (500).
        public static let database = Code(name: "database")

        public var description: String { name }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
