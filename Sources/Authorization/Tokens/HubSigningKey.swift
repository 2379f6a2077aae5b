import Crypto
import Foundation
import JWTKit

/// The hub's own ES256 key: it signs the access tokens the token endpoint issues, and its public half is
/// published at `/auth/jwks`.
public struct HubSigningKey: Sendable {
    public let privateKey: ES256PrivateKey
    /// The key's RFC 7638 thumbprint, used as `kid`.
    public let keyID: String

    public init(_ privateKey: ES256PrivateKey) throws {
        guard let parameters = privateKey.parameters else {
            throw AuthorizationError(.signingKey, "the hub's signing key has no public coordinates")
        }
        // RFC 7638: the required members in lexicographic order, no spaces.
        let canonical = #"{"crv":"P-256","kty":"EC","x":"\#(parameters.x)","y":"\#(parameters.y)"}"#
        self.privateKey = privateKey
        self.keyID = Base64URL.encode(SHA256.hash(data: Data(canonical.utf8)))
    }

    /// A new key, kept in memory only.
    public static func generate() throws -> HubSigningKey {
        try HubSigningKey(ES256PrivateKey())
    }

    /// Reads the PEM key at `path`, or creates one there (readable by the owner only) when the file does not
    /// exist; `created` says which.
    public static func load(file path: String) throws -> (key: HubSigningKey, created: Bool) {
        if let data = FileManager.default.contents(atPath: path) {
            do {
                return (try HubSigningKey(ES256PrivateKey(pem: String(decoding: data, as: UTF8.self))), false)
            } catch {
                throw AuthorizationError(.signingKey, "\(path) is not a PEM P-256 (ES256) private key")
            }
        }
        let key = try generate()
        let created = FileManager.default.createFile(
            atPath: path, contents: Data(key.privateKey.pemRepresentation.utf8), attributes: [.posixPermissions: 0o600]
        )
        guard created else { throw AuthorizationError(.signingKey, "cannot write a new signing key to \(path)") }
        return (key, true)
    }

    /// The public key as a JWK Set, as served at `/auth/jwks`.
    public var publicKeySet: JWKS {
        let parameters = privateKey.publicKey.parameters
        return JWKS(keys: [
            .ecdsa(.es256, identifier: JWKIdentifier(string: keyID), x: parameters?.x, y: parameters?.y, curve: .p256)
        ])
    }

    /// The public key set as JSON text.
    public var publicKeySetJSON: String {
        get throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(publicKeySet), as: UTF8.self)
        }
    }
}
