import Foundation

extension TokenClaims {
    /// `exp` is required and must not have passed; `nbf` and `iat`, when present, must not be ahead. Each
    /// comparison allows `leeway` seconds of clock difference between the issuer and the hub.
    func checkTimes(now: Date, leeway: TimeInterval) throws {
        guard let expiry = date("exp") else {
            throw AuthorizationError(.missingClaim, "the token has no numeric exp")
        }
        guard now.timeIntervalSince(expiry) < leeway else {
            throw AuthorizationError(.expired, "the token expired at \(expiry)")
        }
        if values["nbf"] != nil {
            guard let notBefore = date("nbf") else { throw AuthorizationError(.missingClaim, "nbf is not a number") }
            guard notBefore.timeIntervalSince(now) <= leeway else {
                throw AuthorizationError(.notYetValid, "the token is not valid before \(notBefore)")
            }
        }
        if values["iat"] != nil {
            guard let issued = date("iat") else { throw AuthorizationError(.missingClaim, "iat is not a number") }
            guard issued.timeIntervalSince(now) <= leeway else {
                throw AuthorizationError(.notYetValid, "the token was issued in the future (\(issued))")
            }
        }
    }

    /// `aud` (one text or a list) must name `audience`.
    func checkAudience(_ audience: String) throws {
        guard let audiences = strings("aud") else {
            throw AuthorizationError(.wrongAudience, "the token names no audience")
        }
        guard audiences.contains(audience) else {
            throw AuthorizationError(.wrongAudience, "the token is for \(audiences.joined(separator: ", ")), not \(audience)")
        }
    }
}
