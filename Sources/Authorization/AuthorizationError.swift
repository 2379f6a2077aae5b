/// Why a security configuration, an access token or a token request was refused.
public struct AuthorizationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate let name: String

        // The security configuration file.
        /// The file cannot be read or is not the expected shape.
        public static let invalidConfiguration = Code(name: "invalidConfiguration")
        /// A client, or a token, names a role the configuration does not define.
        public static let unknownRole = Code(name: "unknownRole")
        /// An HS256 secret shorter than 32 bytes, or missing from the environment.
        public static let weakSecret = Code(name: "weakSecret")
        /// A JWKS file, inline set or URL that cannot be read or holds an unusable key.
        public static let unreadableKeySet = Code(name: "unreadableKeySet")
        /// The hub's signing key cannot be read or written.
        public static let signingKey = Code(name: "signingKey")

        // Access tokens (answered with 401).
        /// Not three base64url parts of JSON.
        public static let malformedToken = Code(name: "malformedToken")
        /// `alg` is `none` or an algorithm the issuer's keys are not used with.
        public static let unsupportedAlgorithm = Code(name: "unsupportedAlgorithm")
        /// `iss` names no configured issuer.
        public static let unknownIssuer = Code(name: "unknownIssuer")
        /// `kid` names no key of the issuer.
        public static let unknownKey = Code(name: "unknownKey")
        /// The signature does not verify.
        public static let badSignature = Code(name: "badSignature")
        /// `exp` has passed.
        public static let expired = Code(name: "expired")
        /// `nbf` (or `iat`) is still ahead.
        public static let notYetValid = Code(name: "notYetValid")
        /// `aud` does not name this hub.
        public static let wrongAudience = Code(name: "wrongAudience")
        /// A required claim is missing or has the wrong type.
        public static let missingClaim = Code(name: "missingClaim")

        // The token endpoint (RFC 6749 section 5.2 error codes).
        /// `invalid_request`: a parameter is missing, repeated or malformed.
        public static let invalidRequest = Code(name: "invalid_request")
        /// `invalid_client`: the client assertion did not authenticate a registered client.
        public static let invalidClient = Code(name: "invalid_client")
        /// `invalid_scope`: nothing of the requested scope is allowed to the client.
        public static let invalidScope = Code(name: "invalid_scope")
        /// `unsupported_grant_type`: anything but `client_credentials`.
        public static let unsupportedGrantType = Code(name: "unsupported_grant_type")

        public var description: String { name }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    /// For a token-endpoint failure: the OAuth `error` value and the HTTP status (401 for `invalid_client`,
    /// 400 otherwise, as RFC 6749 section 5.2 allows).
    public var oauthError: (error: String, status: Int)? {
        switch code {
        case .invalidClient: return (code.name, 401)
        case .invalidRequest, .invalidScope, .unsupportedGrantType: return (code.name, 400)
        default: return nil
        }
    }

    /// The JSON body of an OAuth error answer: `{"error": ..., "error_description": ...}`. For
    /// `invalid_client` the description does not say what was wrong with the assertion (that would tell a
    /// prober which client ids and key ids exist); the audit trail has the full reason.
    public var oauthErrorBody: String {
        get throws {
            let error = oauthError?.error ?? Code.invalidRequest.name
            let description = code == .invalidClient ? "Client authentication failed" : message
            return try ClaimValue.object(["error": .string(error), "error_description": .string(description)]).jsonText
        }
    }

    /// What a rejected bearer token is told in `WWW-Authenticate`: whether it expired or is not valid yet,
    /// and nothing more (the full reason goes to the audit trail).
    public var publicTokenDescription: String {
        switch code {
        case .expired: return "The access token expired"
        case .notYetValid: return "The access token is not valid yet"
        default: return "The access token is not valid"
        }
    }
}
