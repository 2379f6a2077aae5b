/// An error in loading or reading the profile tables in `profiles/`, with the file or entry concerned.
public struct ProfilesError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, Hashable {
            case directoryNotFound, fileUnreadable, invalidJSON, invalidTable
        }
        fileprivate let base: Base
        /// No `profiles/` folder could be found.
        public static let directoryNotFound = Code(base: .directoryNotFound)
        /// A profile file is missing or cannot be read.
        public static let fileUnreadable = Code(base: .fileUnreadable)
        /// A profile file is not JSON.
        public static let invalidJSON = Code(base: .invalidJSON)
        /// A profile file is JSON but not shaped as the generator writes it.
        public static let invalidTable = Code(base: .invalidTable)

        /// The code's name.
        public var description: String { base.rawValue }
    }

    /// What kind of problem it is.
    public let code: Code
    /// What went wrong, for people.
    public let message: String
    /// The file, and the entry in it when known (e.g. `structures.json: Patient.name`).
    public let location: String?

    /// An error of `code` with `message`, found at `location`.
    public init(_ code: Code, _ message: String, location: String? = nil) {
        self.code = code
        self.message = message
        self.location = location
    }

    /// The message with its location.
    public var description: String {
        guard let location else { return message }
        return "\(location): \(message)"
    }
}
