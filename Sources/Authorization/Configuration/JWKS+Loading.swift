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

    /// Checks that the set holds at least one key, that every key has a `kid` (tokens name their key) and no
    /// private part (a registration holds public keys only).
    func checkPublic(owner: String) throws {
        guard !keys.isEmpty else {
            throw AuthorizationError(.unreadableKeySet, "the key set of \(owner) is empty")
        }
        for key in keys {
            guard key.keyIdentifier != nil else {
                throw AuthorizationError(.unreadableKeySet, "a key of \(owner) has no kid")
            }
            guard key.privateExponent == nil else {
                throw AuthorizationError(.unreadableKeySet, "the key set of \(owner) holds a private key; register public keys only")
            }
        }
    }
}
