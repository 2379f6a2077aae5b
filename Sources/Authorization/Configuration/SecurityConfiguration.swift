import Foundation
import JWTKit

/// Who may call the hub and how far their access reaches: the roles and what they allow at most, the identity
/// providers whose tokens are accepted, the SMART Backend Services clients, and the hub's own token settings.
/// Read from the YAML file given with `--auth-config` (see `samples/auth/carebridge-auth.yaml`).
public struct SecurityConfiguration: Sendable {
    /// The `aud` every access token must name: the FHIR base URL.
    public let audience: String
    /// The hub's token endpoint, the `aud` of client assertions.
    public let tokenEndpoint: String
    /// The `iss` of the tokens the hub issues.
    public let issuer: String
    /// Where the hub publishes its public key.
    public let jwksURI: String
    /// How long an access token issued by the hub lasts, in seconds.
    public let tokenLifetime: Int
    /// The PEM file of the hub's ES256 key; nil keeps a key in memory only (tokens die with the process).
    public let signingKeyFile: String?
    /// Each role and the most its holders may be granted.
    public let roles: [String: ScopeSet]
    /// The external identity providers whose tokens are accepted.
    public let issuers: [TrustedIssuer]
    /// The SMART Backend Services clients, by `client_id`.
    public let clients: [String: BackendClient]

    /// The shortest and longest lifetime the hub issues tokens for.
    public static let tokenLifetimes = 60...3600

    /// Checks the parts against each other: every client's role exists, every role's scopes parse,
    /// identifiers are unique, the lifetime is in `tokenLifetimes`.
    ///
    /// The hub's URLs derive from `audience`: with `https://hub.example.org/fhir` the token endpoint is
    /// `https://hub.example.org/auth/token`, the issuer `https://hub.example.org/auth` and the key set
    /// `https://hub.example.org/auth/jwks`.
    public init(
        audience: String, tokenLifetime: Int = 300, signingKeyFile: String? = nil, roles: [String: ScopeSet],
        issuers: [TrustedIssuer] = [], clients: [BackendClient] = []
    ) throws {
        let audience = audience.hasSuffix("/") ? String(audience.dropLast()) : audience
        guard let url = URL(string: audience), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw AuthorizationError(.invalidConfiguration, "audience '\(audience)' is not an http(s) URL")
        }
        guard Self.tokenLifetimes.contains(tokenLifetime) else {
            throw AuthorizationError(
                .invalidConfiguration,
                "token_lifetime_seconds \(tokenLifetime) is outside \(Self.tokenLifetimes.lowerBound)...\(Self.tokenLifetimes.upperBound)"
            )
        }
        for (role, scopes) in roles {
            let unknown = scopes.others.subtracting(Self.hubScopes)
            guard unknown.isEmpty else {
                throw AuthorizationError(
                    .invalidConfiguration,
                    "role '\(role)' names scopes that are neither SMART scopes nor hub scopes: \(unknown.sorted().joined(separator: ", "))"
                )
            }
        }
        var byID: [String: BackendClient] = [:]
        for client in clients {
            guard roles[client.role] != nil else {
                throw AuthorizationError(.unknownRole, "client '\(client.clientID)' has role '\(client.role)', which is not configured under roles")
            }
            guard byID.updateValue(client, forKey: client.clientID) == nil else {
                throw AuthorizationError(.invalidConfiguration, "client '\(client.clientID)' is configured twice")
            }
        }
        let root = audience.hasSuffix("/fhir") ? String(audience.dropLast(5)) : audience
        self.audience = audience
        self.tokenEndpoint = root + "/auth/token"
        self.issuer = root + "/auth"
        self.jwksURI = root + "/auth/jwks"
        var seen: Set<String> = [issuer]
        for trusted in issuers {
            guard seen.insert(trusted.issuer).inserted else {
                throw AuthorizationError(.invalidConfiguration, "issuer '\(trusted.issuer)' is configured twice or is the hub's own")
            }
        }
        self.tokenLifetime = tokenLifetime
        self.signingKeyFile = signingKeyFile
        self.roles = roles
        self.issuers = issuers
        self.clients = byID
    }

    /// The scopes a role entry may name beside SMART clinical scopes.
    static let hubScopes: Set<String> = [HubScope.admin, HubScope.ingest]

    /// What `roleNames` allow together (the union of their scopes); nil when there are none. Throws
    /// `unknownRole` for a name that is not configured.
    public func ceiling(for roleNames: [String]) throws -> ScopeSet? {
        guard !roleNames.isEmpty else { return nil }
        var scopes: [String] = []
        for name in roleNames {
            guard let role = roles[name] else {
                throw AuthorizationError(.unknownRole, "the token names role '\(name)', which is not configured")
            }
            scopes += role.all
        }
        return ScopeSet(scopes)
    }

    /// Every scope some role allows, for `scopes_supported`.
    public var supportedScopes: [String] {
        Array(Set(roles.values.flatMap(\.all))).sorted()
    }
}

/// An identity provider whose access tokens the hub accepts.
public struct TrustedIssuer: Sendable {
    /// The `iss` its tokens carry.
    public let issuer: String
    public let keys: IssuerKeys
    /// The claim that names the token's role(s): a string or an array of strings.
    public let roleClaim: String

    public init(issuer: String, keys: IssuerKeys, roleClaim: String = "role") throws {
        guard !issuer.isEmpty else { throw AuthorizationError(.invalidConfiguration, "an issuer has an empty name") }
        if case .sharedSecret(let secret) = keys, secret.count < Self.minimumSecretLength {
            throw AuthorizationError(
                .weakSecret, "the HS256 secret of issuer '\(issuer)' has \(secret.count) bytes; at least \(Self.minimumSecretLength) are needed"
            )
        }
        if case .keySet(let keySet) = keys { try keySet.checkPublic(owner: "issuer '\(issuer)'") }
        self.issuer = issuer
        self.keys = keys
        self.roleClaim = roleClaim
    }

    /// RFC 7518 section 3.2: an HS256 key at least as long as the hash.
    public static let minimumSecretLength = 32
}

/// How the hub gets an issuer's keys.
public enum IssuerKeys: Sendable {
    /// Public keys given in the configuration (a file or inline), RS256/ES256 and their 384-bit siblings.
    case keySet(JWKS)
    /// Public keys fetched from this URL, again when a token names a key the hub has not seen (at most once a
    /// minute).
    case keySetURL(URL)
    /// One shared HS256 secret, for development issuers only.
    case sharedSecret([UInt8])
}

/// A SMART Backend Services client: a system (lab, billing, EHR) that authenticates with a JWT signed by its
/// own key (`private_key_jwt`) and is granted at most what its role allows.
public struct BackendClient: Sendable {
    public let clientID: String
    public let role: String
    /// The client's public keys; its assertions must name one of them by `kid`.
    public let keySet: JWKS

    public init(clientID: String, role: String, keySet: JWKS) throws {
        guard !clientID.isEmpty else { throw AuthorizationError(.invalidConfiguration, "a client has an empty client_id") }
        try keySet.checkPublic(owner: "client '\(clientID)'")
        self.clientID = clientID
        self.role = role
        self.keySet = keySet
    }
}
