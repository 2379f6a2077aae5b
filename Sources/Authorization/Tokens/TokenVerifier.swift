import Foundation

/// Checks bearer tokens and turns a good one into an `AccessGrant`.
///
/// A token is accepted when its `alg` is one its issuer's keys are registered for (never `none`), its `kid`
/// names one of those keys, the signature verifies, `iss` is a configured issuer or the hub itself, `aud`
/// names the configured audience, `exp` has not passed and `nbf`/`iat` are not ahead, and every role it
/// names is configured. The clocks of the issuer and the hub may differ by `clockLeeway` seconds.
public struct TokenVerifier: Sendable {
    /// Allowed clock difference: small, so an expired token is not honoured for long.
    public static let clockLeeway: TimeInterval = 30

    private let configuration: SecurityConfiguration
    private let issuers: [String: (ring: KeyRing, roleClaim: String)]
    private let clock: @Sendable () -> Date

    /// Prepares the keys of every configured issuer and of the hub. Key sets given by URL are fetched on
    /// first use through `fetcher`.
    public init(
        configuration: SecurityConfiguration, hubKey: HubSigningKey,
        fetcher: any KeySetFetching = URLSessionKeySetFetcher(), clock: @escaping @Sendable () -> Date = Date.init
    ) {
        var issuers: [String: (ring: KeyRing, roleClaim: String)] = [configuration.issuer: (KeyRing.hub(hubKey), "role")]
        for trusted in configuration.issuers {
            let ring: KeyRing
            switch trusted.keys {
            case .keySet(let keySet): ring = KeyRing.keySet(keySet)
            case .keySetURL(let url): ring = KeyRing.keySetURL(url, fetcher: fetcher, clock: clock)
            case .sharedSecret(let secret): ring = KeyRing.sharedSecret(secret)
            }
            issuers[trusted.issuer] = (ring, trusted.roleClaim)
        }
        self.configuration = configuration
        self.issuers = issuers
        self.clock = clock
    }

    /// The grant a valid token carries; throws an `AuthorizationError` saying why any other token is refused.
    public func verify(_ token: String) async throws -> AccessGrant {
        let parsed = try CompactToken(token)
        guard let issuer = parsed.unverifiedClaims.string("iss") else {
            throw AuthorizationError(.unknownIssuer, "the token names no issuer")
        }
        guard let (ring, roleClaim) = issuers[issuer] else {
            throw AuthorizationError(.unknownIssuer, "issuer '\(issuer)' is not configured")
        }
        let claims = try await ring.verify(parsed)
        try claims.checkTimes(now: clock(), leeway: Self.clockLeeway)
        try claims.checkAudience(configuration.audience)
        return try grant(claims, roleClaim: roleClaim)
    }

    private func grant(_ claims: TokenClaims, roleClaim: String) throws -> AccessGrant {
        if claims.values[roleClaim] != nil, claims.strings(roleClaim) == nil {
            throw AuthorizationError(.missingClaim, "the \(roleClaim) claim is neither a text nor a list of texts")
        }
        let roles = claims.strings(roleClaim) ?? []
        let subject = claims.string("sub")
        return AccessGrant(
            clientID: claims.string("client_id") ?? claims.string("azp") ?? subject,
            subject: subject,
            fhirUser: claims.string("fhirUser"),
            roles: roles,
            scopes: ScopeSet(claims.strings("scope")?.joined(separator: " ") ?? ""),
            ceiling: try configuration.ceiling(for: roles),
            patientID: claims.string("patient")
        )
    }
}
