/// Why the embedded PostgreSQL cluster could not be set up, started or stopped.
public struct EmbeddedPostgresError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate let name: String
        /// PostgreSQL's programs were not found.
        public static let binariesNotFound = Code(name: "binariesNotFound")
        /// A program exited with an error.
        public static let commandFailed = Code(name: "commandFailed")
        /// The data folder cannot be used.
        public static let dataDirectory = Code(name: "dataDirectory")

        public var description: String { name }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "embedded PostgreSQL: \(message)" }
}
