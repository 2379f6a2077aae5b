import Authorization
import Crypto
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing

/// An identity provider's key set fetched over real HTTP: the hub's `URLSessionKeySetFetcher` against a
/// server on loopback.
@Suite("Key sets fetched from a jwks_url")
struct JWKSURLTests {
    @Test("a token signed by a key published at jwks_url verifies; an unknown kid does not, and is fetched again at most once")
    func liveKeySet() async throws {
        let key = P256.Signing.PrivateKey()
        let raw = key.publicKey.rawRepresentation
        let jwks = """
            {"keys": [{"kty": "EC", "crv": "P-256", "use": "sig", "kid": "idp-1",
              "x": "\(SecuredHub.base64URL(raw.prefix(32)))", "y": "\(SecuredHub.base64URL(raw.suffix(32)))"}]}
            """
        let fetches = FetchCount()
        try await Self.withServer(jwks: jwks, fetches: fetches) { port in
            let issuer = "http://127.0.0.1:\(port)"
            let url = try #require(URL(string: "\(issuer)/jwks"))
            let configuration = try SecurityConfiguration(
                audience: "http://localhost/fhir", roles: ["reader": ScopeSet("system/*.rs")],
                issuers: [try TrustedIssuer(issuer: issuer, keys: .keySetURL(url))]
            )
            let verifier = TokenVerifier(configuration: configuration, hubKey: try .generate())
            let claims: [String: Any] = [
                "iss": issuer, "aud": "http://localhost/fhir", "sub": "idp-user", "scope": "system/Patient.rs",
                "exp": Int(Date().timeIntervalSince1970) + 300,
            ]
            let grant = try await verifier.verify(Self.sign(claims, kid: "idp-1", key: key))
            #expect(grant.scopes.description == "system/Patient.rs")
            #expect(grant.subject == "idp-user")
            #expect(fetches.value == 1)

            await #expect(throws: AuthorizationError.self) {
                try await verifier.verify(Self.sign(claims, kid: "idp-2", key: P256.Signing.PrivateKey()))
            }
            await #expect(throws: AuthorizationError.self) {
                try await verifier.verify(Self.sign(claims, kid: "idp-3", key: P256.Signing.PrivateKey()))
            }
            #expect(fetches.value <= 2, "an unknown kid refetches at most once a minute")
        }
    }

    /// An ES256 JWT over `claims` with `kid`.
    static func sign(_ claims: [String: Any], kid: String, key: P256.Signing.PrivateKey) throws -> String {
        let header = try JSONSerialization.data(withJSONObject: ["alg": "ES256", "typ": "JWT", "kid": kid])
        let payload = try JSONSerialization.data(withJSONObject: claims)
        let input = SecuredHub.base64URL(header) + "." + SecuredHub.base64URL(payload)
        let signature = try key.signature(for: Data(input.utf8))
        return input + "." + SecuredHub.base64URL(signature.rawRepresentation)
    }

    /// Runs `body` with an HTTP server on loopback answering `GET /jwks` with `jwks`, counting the fetches.
    static func withServer(jwks: String, fetches: FetchCount, _ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router()
        router.get("jwks") { _, _ -> Response in
            fetches.add()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: jwks)))
        }
        let (ports, found) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "jwks-server")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                found.yield(channel.localAddress?.port ?? 0)
                found.finish()
            },
            logger: logger
        )
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            do {
                try await body(port)
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
            await services.triggerGracefulShutdown()
        }
    }
}

/// How many times the key set was fetched.
final class FetchCount: Sendable {
    private let count = Mutex(0)

    var value: Int { count.withLock { $0 } }

    func add() {
        count.withLock { $0 += 1 }
    }
}
