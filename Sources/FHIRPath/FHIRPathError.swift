/// An error in parsing or evaluating a FHIRPath expression, with where in the expression it happened.
public struct FHIRPathError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, Hashable {
            case syntax, unknownFunction, wrongArguments, typeMismatch, notSingleton, unsupported, invalidValue
        }
        fileprivate let base: Base
        /// The text is not valid FHIRPath.
        public static let syntax = Code(base: .syntax)
        /// A function the language does not define.
        public static let unknownFunction = Code(base: .unknownFunction)
        /// A function was called with the wrong number or kind of arguments.
        public static let wrongArguments = Code(base: .wrongArguments)
        /// An operator or function got a value of a type it cannot work with.
        public static let typeMismatch = Code(base: .typeMismatch)
        /// A single value was needed but the collection had more than one.
        public static let notSingleton = Code(base: .notSingleton)
        /// Valid FHIRPath that this implementation does not support (e.g. `memberOf()` without a terminology server).
        public static let unsupported = Code(base: .unsupported)
        /// A value that cannot be used (e.g. an invalid regular expression or date literal).
        public static let invalidValue = Code(base: .invalidValue)

        public var description: String { base.rawValue }
    }

    /// What kind of problem it is.
    public let code: Code
    /// A sentence saying what is wrong.
    public let message: String
    /// Offset in characters (0-based) into the expression text where the problem is.
    public let position: Int

    /// An error of `code` at `position`.
    public init(_ code: Code, _ message: String, at position: Int) {
        self.code = code
        self.message = message
        self.position = position
    }

    public var description: String { "\(message) (at position \(position))" }
}
