import Foundation

/// A JWS in compact form split and read without trusting it: the header (to choose a key) and the claims
/// (to find the issuer). Nothing here is believed until the signature is verified.
struct CompactToken {
    let text: String
    /// The `alg` header.
    let algorithm: String
    /// The `kid` header.
    let keyID: String?
    let unverifiedClaims: TokenClaims

    init(_ text: String) throws {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw AuthorizationError(.malformedToken, "not a compact JWS (three base64url parts)")
        }
        guard let headerData = Base64URL.decode(parts[0]),
              let header = try? JSONDecoder().decode([String: ClaimValue].self, from: headerData),
              let payloadData = Base64URL.decode(parts[1]),
              let claims = try? JSONDecoder().decode(TokenClaims.self, from: payloadData)
        else { throw AuthorizationError(.malformedToken, "the header or the claims are not base64url JSON objects") }
        guard case .string(let algorithm) = header["alg"] else {
            throw AuthorizationError(.malformedToken, "the header has no alg")
        }
        guard header["crit"] == nil else {
            throw AuthorizationError(.malformedToken, "the header has critical extensions, which the hub does not understand")
        }
        switch header["kid"] {
        case .none: keyID = nil
        case .string(let kid): keyID = kid
        default: throw AuthorizationError(.malformedToken, "the kid header is not text")
        }
        guard algorithm != "none" else {
            throw AuthorizationError(.unsupportedAlgorithm, "unsigned tokens (alg none) are refused")
        }
        self.text = text
        self.algorithm = algorithm
        self.unverifiedClaims = claims
    }
}
