import Foundation
import JWTKit

/// The keys one issuer (or one backend client, or the hub) signs with, one jwt-kit collection per algorithm,
/// so a key is only ever used with an algorithm it is registered for: an RSA key verifies RS256/RS384, a
/// P-256 key ES256, a P-384 key ES384, a shared secret HS256. Keys from a URL are fetched on first use and
/// again, at most once a minute, when a token names a key not seen yet.
actor KeyRing {
    /// The asymmetric algorithms accepted from JWKS keys (SMART asks for RS384 and ES384).
    static let asymmetricAlgorithms: Set<String> = ["RS256", "RS384", "ES256", "ES384"]
    /// The shortest time between two fetches of a key set URL.
    static let refetchInterval: TimeInterval = 60

    private var collections: [String: JWTKeyCollection] = [:]
    /// The key ids each algorithm's collection holds.
    private var keyIDs: [String: Set<String>] = [:]
    /// Whether tokens may leave out `kid` (a single shared secret).
    private let keyIDOptional: Bool
    private let source: URL?
    private let fetcher: (any KeySetFetching)?
    private var lastFetch: Date?
    private let clock: @Sendable () -> Date

    private init(keyIDOptional: Bool, source: URL?, fetcher: (any KeySetFetching)?, clock: @escaping @Sendable () -> Date) {
        self.keyIDOptional = keyIDOptional
        self.source = source
        self.fetcher = fetcher
        self.clock = clock
    }

    /// A ring over fixed public keys; `owner` names it in errors.
    static func keySet(_ keySet: JWKS, owner: String) async throws -> KeyRing {
        let ring = KeyRing(keyIDOptional: false, source: nil, fetcher: nil, clock: Date.init)
        try await ring.replace(with: keySet, owner: owner, strict: true)
        return ring
    }

    /// A ring whose keys are fetched from `url`.
    static func keySetURL(_ url: URL, fetcher: any KeySetFetching, clock: @escaping @Sendable () -> Date) -> KeyRing {
        KeyRing(keyIDOptional: false, source: url, fetcher: fetcher, clock: clock)
    }

    /// A ring of one HS256 secret; tokens carry no `kid`.
    static func sharedSecret(_ secret: [UInt8]) async -> KeyRing {
        let ring = KeyRing(keyIDOptional: true, source: nil, fetcher: nil, clock: Date.init)
        await ring.addSecret(secret)
        return ring
    }

    /// A ring of the hub's own key.
    static func hub(_ key: HubSigningKey) async -> KeyRing {
        let ring = KeyRing(keyIDOptional: false, source: nil, fetcher: nil, clock: Date.init)
        await ring.addHubKey(key)
        return ring
    }

    /// Verifies the token's signature with the key its `kid` names, for its `alg`, and returns its claims.
    func verify(_ token: CompactToken) async throws -> TokenClaims {
        try await refreshIfNeeded(for: token)
        guard let collection = collections[token.algorithm] else {
            throw AuthorizationError(.unsupportedAlgorithm, "alg \(token.algorithm) is not used with this issuer's keys")
        }
        if let kid = token.keyID {
            guard keyIDs[token.algorithm]?.contains(kid) == true else {
                throw AuthorizationError(.unknownKey, "kid '\(kid)' names no \(token.algorithm) key of this issuer")
            }
        } else if !keyIDOptional {
            throw AuthorizationError(.unknownKey, "the token names no key (kid)")
        }
        do {
            return try await collection.verify(token.text, as: TokenClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw AuthorizationError(.badSignature, "the signature does not verify")
        } catch {
            throw AuthorizationError(.badSignature, "the token cannot be verified (\(error))")
        }
    }

    /// For a URL source: fetches the keys the first time, and again when the token names a key not held and
    /// the last fetch is more than a minute old.
    private func refreshIfNeeded(for token: CompactToken) async throws {
        guard let source, let fetcher else { return }
        let known = token.keyID.map { kid in keyIDs[token.algorithm]?.contains(kid) == true } ?? false
        if known { return }
        let now = clock()
        if let lastFetch, now.timeIntervalSince(lastFetch) < Self.refetchInterval { return }
        lastFetch = now
        let data: Data
        do {
            data = try await fetcher.keySet(from: source)
        } catch {
            throw AuthorizationError(.unknownKey, "the key set at \(source) could not be fetched (\(error))")
        }
        try await replace(with: try JWKS.decoded(from: data, source: source.absoluteString), owner: source.absoluteString, strict: false)
    }

    /// Replaces the keys with those of `keySet`. `strict` refuses a key the hub cannot use (a configured set);
    /// otherwise such keys are skipped (a fetched set may hold keys meant for others).
    private func replace(with keySet: JWKS, owner: String, strict: Bool) async throws {
        if strict { try keySet.checkPublic(owner: owner) }
        var collections: [String: JWTKeyCollection] = [:]
        var keyIDs: [String: Set<String>] = [:]
        for key in keySet.keys {
            guard let kid = key.keyIdentifier?.string, key.privateExponent == nil else { continue }
            let algorithms = Self.algorithms(for: key)
            if algorithms.isEmpty, strict {
                throw AuthorizationError(
                    .unreadableKeySet, "key '\(kid)' of \(owner) is not an RSA, P-256 or P-384 key for RS256, RS384, ES256 or ES384"
                )
            }
            for algorithm in algorithms {
                var bound = key
                bound.algorithm = JWK.Algorithm(rawValue: algorithm)
                let collection = collections[algorithm] ?? JWTKeyCollection()
                do {
                    try await collection.add(jwk: bound)
                } catch {
                    if strict { throw AuthorizationError(.unreadableKeySet, "key '\(kid)' of \(owner) cannot be used: \(error)") }
                    continue
                }
                collections[algorithm] = collection
                keyIDs[algorithm, default: []].insert(kid)
            }
        }
        self.collections = collections
        self.keyIDs = keyIDs
    }

    /// The algorithms a JWK may verify: its `alg` if it names one we accept, else those its type and curve allow.
    private static func algorithms(for key: JWK) -> [String] {
        let byType: [String]
        switch key.keyType {
        case .rsa: byType = ["RS256", "RS384"]
        case .ecdsa:
            switch key.curve?.rawValue {
            case "P-256": byType = ["ES256"]
            case "P-384": byType = ["ES384"]
            default: byType = []
            }
        default: byType = []
        }
        guard let named = key.algorithm?.rawValue else { return byType }
        return byType.contains(named) ? [named] : []
    }

    private func addSecret(_ secret: [UInt8]) async {
        let collection = JWTKeyCollection()
        await collection.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        collections["HS256"] = collection
    }

    private func addHubKey(_ key: HubSigningKey) async {
        let collection = JWTKeyCollection()
        await collection.add(ecdsa: key.privateKey.publicKey, kid: JWKIdentifier(string: key.keyID))
        collections["ES256"] = collection
        keyIDs["ES256"] = [key.keyID]
    }
}

/// Fetches a JWKS document; the hub uses Foundation's URLSession, tests a stand-in.
public protocol KeySetFetching: Sendable {
    func keySet(from url: URL) async throws -> Data
}
