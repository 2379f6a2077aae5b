import CareBridgeServer
import Crypto
import Foundation
import HTTPTypes
import JWTKit
import Testing

/// The real hub with authorization on and one SMART Backend Services client, `lab-northwind` (role
/// `lab-system`), whose ES384 key the tests hold; the development HS256 issuer of `SecuredHub` is configured
/// too, so its tokens work here.
struct TokenHub: Sendable {
    let hub: Hub
    let clientKey: ES384PrivateKey

    static let clientID = "lab-northwind"
    static let keyID = "northwind-2025"
    static let tokenEndpoint = "http://localhost/auth/token"

    static func run<T: Sendable>(_ test: @Sendable (TokenHub) async throws -> T) async throws -> T {
        let clientKey = ES384PrivateKey()
        let parameters = try #require(clientKey.parameters)
        let clients = """
            signing_key_file: hub.pem
            clients:
              - client_id: \(clientID)
                role: lab-system
                jwks: {keys: [{kty: EC, crv: P-384, kid: \(keyID), x: "\(parameters.x)", y: "\(parameters.y)"}]}

            """
        return try await SecuredHub.runHub(extraYAML: clients) { hub in
            try await test(TokenHub(hub: hub, clientKey: clientKey))
        }
    }

    /// A client assertion signed with the client's key (or `key`), for the hub's token endpoint.
    func assertion(
        key: ES384PrivateKey? = nil, keyID: String = TokenHub.keyID, audience: String = TokenHub.tokenEndpoint,
        expiresIn: TimeInterval = 240, jti: String = UUID().uuidString
    ) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key ?? clientKey, kid: JWKIdentifier(string: keyID))
        let claims = ClientAssertion(
            iss: Self.clientID, sub: Self.clientID, aud: audience, exp: Int(Date().addingTimeInterval(expiresIn).timeIntervalSince1970), jti: jti
        )
        return try await keys.sign(claims, kid: JWKIdentifier(string: keyID))
    }

    /// POSTs a form-encoded token request.
    func requestToken(assertion: String, scope: String = "system/Patient.rs system/Observation.rs") async throws -> Reply {
        let body = [
            ("grant_type", "client_credentials"),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", assertion), ("scope", scope),
        ].map { "\($0)=\(Self.formEncode($1))" }.joined(separator: "&")
        return try await hub.send(.post, "/auth/token", body: body, headers: ["Content-Type": "application/x-www-form-urlencoded"])
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// The claims of a SMART Backend Services client assertion.
struct ClientAssertion: JWTPayload {
    let iss: String
    let sub: String
    let aud: String
    let exp: Int
    let jti: String

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
