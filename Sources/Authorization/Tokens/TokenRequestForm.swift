import Foundation

/// The parameters of a token request, from an `application/x-www-form-urlencoded` body.
public struct TokenRequestForm: Sendable, Hashable {
    public let parameters: [String: String]

    /// Reads the body; a repeated parameter is refused (RFC 6749 section 3.2) with `invalid_request`.
    public init(body: String) throws {
        var parameters: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count > 1 ? parts[1] : "") else {
                throw AuthorizationError(.invalidRequest, "the body is not form-encoded")
            }
            guard parameters.updateValue(value, forKey: name) == nil else {
                throw AuthorizationError(.invalidRequest, "the parameter \(name) is given more than once")
            }
        }
        self.parameters = parameters
    }

    public init(_ parameters: [String: String]) {
        self.parameters = parameters
    }

    public subscript(_ name: String) -> String? {
        parameters[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
