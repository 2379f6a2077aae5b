/// An error in reading or building FHIR content, with where it happened.
public struct FHIRCoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, Hashable {
            case invalidJSON, invalidResource, invalidPatch, invalidReference
        }
        fileprivate let base: Base
        /// The body is not JSON.
        public static let invalidJSON = Code(base: .invalidJSON)
        /// The JSON is not a resource, or not the resource expected.
        public static let invalidResource = Code(base: .invalidResource)
        /// A JSON Patch document is malformed or cannot be applied.
        public static let invalidPatch = Code(base: .invalidPatch)
        /// A reference cannot be read.
        public static let invalidReference = Code(base: .invalidReference)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String
    /// FHIRPath of the element concerned, when there is one.
    public let expression: String?

    public init(_ code: Code, _ message: String, expression: String? = nil) {
        self.code = code
        self.message = message
        self.expression = expression
    }

    public var description: String { message }
}
