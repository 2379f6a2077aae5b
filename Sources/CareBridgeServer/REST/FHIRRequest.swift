import FHIRCore
import Foundation
import NIOCore

/// One FHIR REST request, whether it came over HTTP or as an entry of a batch/transaction Bundle.
public struct FHIRRequest: Sendable {
    /// The HTTP method, upper case.
    public var method: String
    /// The path below the FHIR base, split on `/` (e.g. `["Patient", "123", "_history", "2"]`).
    public var path: [String]
    /// The raw query string (without `?`), percent-encoded as received.
    public var queryString: String
    /// Query parameters in order, decoded.
    public var query: [(name: String, value: String)]
    public var ifMatch: String?
    public var ifNoneExist: String?
    public var ifNoneMatch: String?
    /// The `return=` preference of the `Prefer` header.
    public var preferReturn: PreferReturn
    /// The `handling=` preference of the `Prefer` header: what a search does with parameters it cannot use.
    public var handling: Handling
    /// The request body, if any.
    public var body: ByteBuffer?
    /// Whether the body is a JSON Patch document.
    public var isJSONPatch: Bool

    /// What the client wants back from a write (`Prefer: return=...`).
    public enum PreferReturn: Sendable {
        case minimal, representation, operationOutcome
    }

    /// `Prefer: handling=strict` (the default) refuses unknown or unsupported search parameters;
    /// `handling=lenient` ignores them and says so in the searchset.
    public enum Handling: Sendable {
        case strict, lenient
    }

    public init(
        method: String, path: [String], queryString: String = "", ifMatch: String? = nil, ifNoneExist: String? = nil,
        ifNoneMatch: String? = nil, preferReturn: PreferReturn = .representation, body: ByteBuffer? = nil,
        isJSONPatch: Bool = false, handling: Handling = .strict
    ) {
        self.method = method
        self.path = path
        self.queryString = queryString
        self.query = FormEncoding.pairs(queryString)
        self.ifMatch = ifMatch
        self.ifNoneExist = ifNoneExist
        self.ifNoneMatch = ifNoneMatch
        self.preferReturn = preferReturn
        self.handling = handling
        self.body = body
        self.isJSONPatch = isJSONPatch
    }

    /// The first value of query parameter `name`.
    public func parameter(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// A request for a relative URL such as `Patient/1/_history?_count=5`.
    public init(method: String, relativeURL: String) {
        let (path, queryString) = QueryString.split(relativeURL)
        self.init(method: method, path: path, queryString: queryString)
    }
}

/// Splitting of relative URLs into decoded path components and the query string.
enum QueryString {
    /// Splits `Patient/1?x=y` into path components and the raw query string.
    static func split(_ url: String) -> ([String], String) {
        let parts = url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts[0].split(separator: "/", omittingEmptySubsequences: true).map { FormEncoding.percentDecoded(String($0)) }
        return (path, parts.count > 1 ? String(parts[1]) : "")
    }
}
