@testable import Authorization
import Crypto
import Foundation
import JWTKit
import _CryptoExtras
import Testing

/// A signing key for the tests and its public JWK, under a `kid`.
struct TestKey: Sendable {
    enum Kind: Sendable { case es256, es384, rs256, rs384, hs256(String) }

    let kind: Kind
    let kid: String
    private let es256: ES256PrivateKey?
    private let es384: ES384PrivateKey?
    private let rsa: JWTKit.Insecure.RSA.PrivateKey?

    init(_ kind: Kind, kid: String) throws {
        self.kind = kind
        self.kid = kid
        switch kind {
        case .es256: (es256, es384, rsa) = (ES256PrivateKey(), nil, nil)
        case .es384: (es256, es384, rsa) = (nil, ES384PrivateKey(), nil)
        case .rs256, .rs384: (es256, es384, rsa) = (nil, nil, try TestKey.rsaKey())
        case .hs256: (es256, es384, rsa) = (nil, nil, nil)
        }
    }

    /// One RSA key shared by the tests (generating one takes a while).
    private static func rsaKey() throws -> JWTKit.Insecure.RSA.PrivateKey {
        try JWTKit.Insecure.RSA.PrivateKey(backing: sharedRSA.get())
    }

    private static let sharedRSA = Result { try _RSA.Signing.PrivateKey(keySize: .bits2048) }

    var algorithm: String {
        switch kind {
        case .es256: return "ES256"
        case .es384: return "ES384"
        case .rs256: return "RS256"
        case .rs384: return "RS384"
        case .hs256: return "HS256"
        }
    }

    /// The public JWK (no `alg`, as many providers publish them).
    var publicJWK: JWK {
        get throws {
            let identifier = JWKIdentifier(string: kid)
            switch kind {
            case .es256:
                let parameters = try #require(es256?.publicKey.parameters)
                return .ecdsa(nil, identifier: identifier, x: parameters.x, y: parameters.y, curve: .p256)
            case .es384:
                let parameters = try #require(es384?.publicKey.parameters)
                return .ecdsa(nil, identifier: identifier, x: parameters.x, y: parameters.y, curve: .p384)
            case .rs256, .rs384:
                let primitives = try #require(rsa).publicKey.getKeyPrimitives()
                return .rsa(nil, identifier: identifier, modulus: Base64URL.encode(primitives.modulus), exponent: Base64URL.encode(primitives.publicExponent))
            case .hs256:
                throw AuthorizationError(.invalidConfiguration, "an HS256 key has no public part")
            }
        }
    }

    var keySet: JWKS {
        get throws { JWKS(keys: [try publicJWK]) }
    }

    /// Signs `claims` (JSON values) with this key; `kid` overrides the header's key id (nil leaves it out).
    func sign(_ claims: [String: ClaimValue], kid: String?? = .none) async throws -> String {
        let keys = JWTKeyCollection()
        let headerKID = kid ?? self.kid
        let identifier = headerKID.map { JWKIdentifier(string: $0) }
        switch kind {
        case .es256: await keys.add(ecdsa: try #require(es256), kid: identifier)
        case .es384: await keys.add(ecdsa: try #require(es384), kid: identifier)
        case .rs256: await keys.add(rsa: try #require(rsa), digestAlgorithm: .sha256, kid: identifier)
        case .rs384: await keys.add(rsa: try #require(rsa), digestAlgorithm: .sha384, kid: identifier)
        case .hs256(let secret): await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: identifier)
        }
        return try await keys.sign(TokenClaims(claims), kid: identifier)
    }
}

/// Claims helpers: times relative to now.
enum Claims {
    static func time(_ offset: TimeInterval, from now: Date = Date()) -> ClaimValue {
        .number(now.addingTimeInterval(offset).timeIntervalSince1970.rounded(.down))
    }
}

/// A token of `header` and `claims` JSON with `signature` as the third part, for hand-made tokens.
func compactToken(header: String, claims: String, signature: String = "") -> String {
    "\(Base64URL.encode(Data(header.utf8))).\(Base64URL.encode(Data(claims.utf8))).\(signature)"
}
