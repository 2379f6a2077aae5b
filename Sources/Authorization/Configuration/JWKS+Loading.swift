import Foundation
import JWTKit

extension JWKS {
    /// Reads a JSON Web Key Set from `data`; `source` names it in errors.
    static func decoded(from data: Data, source: String) throws -> JWKS {
        do {
            return try JSONDecoder().decode(JWKS.self, from: data)
        } catch {
            throw AuthorizationError(.unreadableKeySet, "\(source) is not a JSON Web Key Set of RSA or EC keys (\(error))")
        }
    }

    /// Reads a JSON Web Key Set from a file.
    static func read(file path: String) throws -> JWKS {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuthorizationError(.unreadableKeySet, "cannot read the key set file \(path)")
        }
        return try decoded(from: data, source: path)
    }

    /// Checks that the set holds at least one key, and that every key has a `kid` (tokens name their key), no
    /// private part (a registration holds public keys only), and is an RSA (2048 bits or more), P-256 or
    /// P-384 key the hub can verify with.
    func checkPublic(owner: String) throws {
        guard !keys.isEmpty else {
            throw AuthorizationError(.unreadableKeySet, "the key set of \(owner) is empty")
        }
        for key in keys {
            guard let kid = key.keyIdentifier?.string else {
                throw AuthorizationError(.unreadableKeySet, "a key of \(owner) has no kid")
            }
            guard key.privateExponent == nil else {
                throw AuthorizationError(.unreadableKeySet, "the key set of \(owner) holds a private key; register public keys only")
            }
            guard !key.verificationAlgorithms.isEmpty, key.isUsable else {
                throw AuthorizationError(
                    .unreadableKeySet,
                    "key '\(kid)' of \(owner) is not an RSA (2048 bits or more), P-256 or P-384 public key for RS256, RS384, ES256 or ES384"
                )
            }
        }
    }
}

extension JWK {
    /// The algorithms this key may verify: its `alg` if it names one the hub accepts, else those its type and
    /// curve allow (RSA: RS256 and RS384; P-256: ES256; P-384: ES384).
    var verificationAlgorithms: [String] {
        let byType: [String]
        switch keyType {
        case .rsa: byType = ["RS256", "RS384"]
        case .ecdsa:
            switch curve?.rawValue {
            case "P-256": byType = ["ES256"]
            case "P-384": byType = ["ES384"]
            default: byType = []
            }
        default: byType = []
        }
        guard let named = algorithm?.rawValue else { return byType }
        return byType.contains(named) ? [named] : []
    }

    /// Whether the key's numbers make a public key.
    fileprivate var isUsable: Bool {
        switch keyType {
        case .rsa:
            guard let modulus, let exponent else { return false }
            return (try? Insecure.RSA.PublicKey(modulus: modulus, exponent: exponent)) != nil
        case .ecdsa:
            guard let x, let y else { return false }
            switch curve?.rawValue {
            case "P-256": return (try? ES256PublicKey(parameters: (x, y))) != nil
            case "P-384": return (try? ES384PublicKey(parameters: (x, y))) != nil
            default: return false
            }
        default: return false
        }
    }
}
