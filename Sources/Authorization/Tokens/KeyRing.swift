import Foundation
import JWTKit

/// The keys one issuer (or one backend client, or the hub) signs with, one jwt-kit collection per algorithm,
/// so a key is only ever used with an algorithm it is registered for: an RSA key verifies RS256/RS384, a
/// P-256 key ES256, a P-384 key ES384, a shared secret HS256. Keys from a URL are fetched on first use and
/// again, at most once a minute, when a token names a key not seen yet.
actor KeyRing {
    /// The shortest time between two fetches of a key set URL.
    static let refetchInterval: TimeInterval = 60

    private var collections: [String: JWTKeyCollection] = [:]
    /// The key ids each algorithm's collection holds.
    private var keyIDs: [String: Set<String>] = [:]
    /// Keys given at creation, put into the collections on first use (jwt-kit's collections are actors).
    private var pending: Pending?
    /// Whether tokens may leave out `kid` (a single shared secret).
    private let keyIDOptional: Bool
    private let source: URL?
    private let fetcher: (any KeySetFetching)?
    private var lastFetch: Date?
    private let clock: @Sendable () -> Date

    private enum Pending {
        case keySet(JWKS), secret([UInt8]), hub(HubSigningKey)
    }

    private init(
        pending: Pending?, keyIDOptional: Bool = false, source: URL? = nil, fetcher: (any KeySetFetching)? = nil,
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.pending = pending
        self.keyIDOptional = keyIDOptional
        self.source = source
        self.fetcher = fetcher
        self.clock = clock
    }

    /// A ring over fixed public keys, already checked with `JWKS.checkPublic`.
    static func keySet(_ keySet: JWKS) -> KeyRing {
        KeyRing(pending: .keySet(keySet))
    }

    /// A ring whose keys are fetched from `url`.
    static func keySetURL(_ url: URL, fetcher: any KeySetFetching, clock: @escaping @Sendable () -> Date) -> KeyRing {
        KeyRing(pending: nil, source: url, fetcher: fetcher, clock: clock)
    }

    /// A ring of one HS256 secret; tokens carry no `kid`.
    static func sharedSecret(_ secret: [UInt8]) -> KeyRing {
        KeyRing(pending: .secret(secret), keyIDOptional: true)
    }

    /// A ring of the hub's own key.
    static func hub(_ key: HubSigningKey) -> KeyRing {
        KeyRing(pending: .hub(key))
    }

    /// Verifies the token's signature with the key its `kid` names, for its `alg`, and returns its claims.
    func verify(_ token: CompactToken) async throws -> TokenClaims {
        try await installPending()
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

    private func installPending() async throws {
        guard let pending else { return }
        self.pending = nil
        switch pending {
        case .keySet(let keySet):
            try await replace(with: keySet)
        case .secret(let secret):
            let collection = JWTKeyCollection()
            await collection.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            collections["HS256"] = collection
        case .hub(let key):
            let collection = JWTKeyCollection()
            await collection.add(ecdsa: key.privateKey.publicKey, kid: JWKIdentifier(string: key.keyID))
            collections["ES256"] = collection
            keyIDs["ES256"] = [key.keyID]
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
        try await replace(with: try JWKS.decoded(from: data, source: source.absoluteString))
    }

    /// Replaces the keys with those of `keySet`, each bound to every algorithm it may verify; keys the hub
    /// cannot use are skipped (a fetched set may hold keys meant for others; a configured set was checked).
    private func replace(with keySet: JWKS) async throws {
        var collections: [String: JWTKeyCollection] = [:]
        var keyIDs: [String: Set<String>] = [:]
        for key in keySet.keys {
            guard let kid = key.keyIdentifier?.string, key.privateExponent == nil else { continue }
            for algorithm in key.verificationAlgorithms {
                var bound = key
                bound.algorithm = JWK.Algorithm(rawValue: algorithm)
                let collection = collections[algorithm] ?? JWTKeyCollection()
                guard (try? await collection.add(jwk: bound)) != nil else { continue }
                collections[algorithm] = collection
                keyIDs[algorithm, default: []].insert(kid)
            }
        }
        self.collections = collections
        self.keyIDs = keyIDs
    }
}

/// Fetches a JWKS document; the hub uses Foundation's URLSession, tests a stand-in.
public protocol KeySetFetching: Sendable {
    func keySet(from url: URL) async throws -> Data
}
