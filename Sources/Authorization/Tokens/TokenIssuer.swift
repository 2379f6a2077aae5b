import Foundation
import JWTKit

/// The token endpoint of SMART Backend Services
/// (https://hl7.org/fhir/smart-app-launch/backend-services.html): a registered client asks for an access
/// token with `grant_type=client_credentials` and proves who it is with a JWT signed by its own key
/// (`client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`).
///
/// The assertion must have `iss` = `sub` = the client id, `aud` = the token endpoint, an `exp` at most five
/// minutes ahead, a `jti` not used before, and a signature (RS384, ES384, RS256 or ES256) by a key the client
/// registered, named by `kid`. The requested scope is cut to what the client's role allows; the access
/// token is an ES256 JWT signed with the hub's key.
public actor TokenIssuer {
    /// The one client assertion type SMART uses.
    public static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    /// The furthest ahead an assertion may expire (SMART: no more than five minutes).
    public static let maximumAssertionLifetime: TimeInterval = 300

    private let configuration: SecurityConfiguration
    private let hubKey: HubSigningKey
    private let clientKeys: [String: KeyRing]
    private let replays = AssertionReplayCache()
    private let clock: @Sendable () -> Date
    private var signer: JWTKeyCollection?

    public init(configuration: SecurityConfiguration, hubKey: HubSigningKey, clock: @escaping @Sendable () -> Date = Date.init) {
        self.configuration = configuration
        self.hubKey = hubKey
        self.clientKeys = configuration.clients.mapValues { KeyRing.keySet($0.keySet) }
        self.clock = clock
    }

    /// Answers a token request; throws an `AuthorizationError` whose `oauthError` gives the OAuth error and
    /// status (`invalid_request`, `unsupported_grant_type`, `invalid_client`, `invalid_scope`).
    public func issue(_ form: TokenRequestForm) async throws -> IssuedToken {
        guard let grantType = form["grant_type"] else {
            throw AuthorizationError(.invalidRequest, "grant_type is missing")
        }
        guard grantType == "client_credentials" else {
            throw AuthorizationError(.unsupportedGrantType, "only client_credentials is supported")
        }
        guard form["client_assertion_type"] == Self.assertionType, let assertion = form["client_assertion"] else {
            throw AuthorizationError(.invalidClient, "client authentication must be a client_assertion of type \(Self.assertionType)")
        }
        guard let requested = form["scope"] else {
            throw AuthorizationError(.invalidRequest, "scope is missing")
        }
        let client = try await authenticate(assertion, claimedClientID: form["client_id"])
        guard let ceiling = configuration.roles[client.role] else {
            throw AuthorizationError(.invalidClient, "the client's role is not configured")
        }
        let granted = ScopeSet(requested).limited(to: ceiling)
        guard !granted.all.isEmpty else {
            throw AuthorizationError(.invalidScope, "none of the requested scopes is allowed to this client")
        }
        return try await sign(granted, for: client)
    }

    /// Checks the client assertion and returns the client it authenticates; every failure is `invalid_client`.
    private func authenticate(_ assertion: String, claimedClientID: String?) async throws -> BackendClient {
        do {
            let token = try CompactToken(assertion)
            guard let clientID = token.unverifiedClaims.string("iss"), token.unverifiedClaims.string("sub") == clientID else {
                throw AuthorizationError(.invalidClient, "the assertion's iss and sub must both be the client_id")
            }
            guard claimedClientID == nil || claimedClientID == clientID else {
                throw AuthorizationError(.invalidClient, "client_id does not match the assertion")
            }
            guard let client = configuration.clients[clientID], let keys = clientKeys[clientID] else {
                throw AuthorizationError(.invalidClient, "client '\(clientID)' is not registered")
            }
            let claims = try await keys.verify(token)
            let now = clock()
            try claims.checkTimes(now: now, leeway: TokenVerifier.clockLeeway)
            try claims.checkAudience(configuration.tokenEndpoint)
            guard let expires = claims.date("exp"),
                  expires.timeIntervalSince(now) <= Self.maximumAssertionLifetime + TokenVerifier.clockLeeway
            else { throw AuthorizationError(.invalidClient, "the assertion's exp is more than five minutes ahead") }
            guard let jti = claims.string("jti") else {
                throw AuthorizationError(.invalidClient, "the assertion has no jti")
            }
            guard await replays.firstUse(clientID: clientID, jti: jti, expires: expires.addingTimeInterval(TokenVerifier.clockLeeway), now: now) else {
                throw AuthorizationError(.invalidClient, "the assertion's jti was used before")
            }
            return client
        } catch let error as AuthorizationError where error.code != .invalidClient {
            throw AuthorizationError(.invalidClient, "client assertion refused: \(error.message)")
        }
    }

    private func sign(_ scopes: ScopeSet, for client: BackendClient) async throws -> IssuedToken {
        let signer = try await signingKeys()
        let now = clock()
        let lifetime = configuration.tokenLifetime
        let claims = TokenClaims([
            "iss": .string(configuration.issuer),
            "sub": .string(client.clientID),
            "aud": .string(configuration.audience),
            "iat": .number(now.timeIntervalSince1970.rounded(.down)),
            "exp": .number(now.timeIntervalSince1970.rounded(.down) + Double(lifetime)),
            "jti": .string(UUID().uuidString.lowercased()),
            "scope": .string(scopes.description),
            "client_id": .string(client.clientID),
            "role": .string(client.role),
        ])
        var header = JWTHeader()
        header.typ = "JWT"
        let token = try await signer.sign(claims, kid: JWKIdentifier(string: hubKey.keyID), header: header)
        return IssuedToken(accessToken: token, expiresIn: lifetime, scope: scopes.description, clientID: client.clientID, role: client.role)
    }

    private func signingKeys() async throws -> JWTKeyCollection {
        if let signer { return signer }
        let collection = JWTKeyCollection()
        await collection.add(ecdsa: hubKey.privateKey, kid: JWKIdentifier(string: hubKey.keyID))
        signer = collection
        return collection
    }
}

/// A token the endpoint issued, and the JSON answer that carries it (RFC 6749 section 5.1).
public struct IssuedToken: Sendable, Hashable {
    public let accessToken: String
    /// Seconds until it expires.
    public let expiresIn: Int
    /// The scopes granted, space-separated: what was asked for, cut to the role.
    public let scope: String
    public let clientID: String
    public let role: String

    /// `{"access_token":..., "token_type":"bearer", "expires_in":..., "scope":...}`.
    public var json: String {
        get throws {
        let object: [String: ClaimValue] = [
            "access_token": .string(accessToken), "token_type": .string("bearer"),
            "expires_in": .number(Double(expiresIn)), "scope": .string(scope),
        ]
        return try ClaimValue.object(object).jsonText
        }
    }
}
