import CareBridgeServer
import FHIRCore
import Foundation
import HTTPTypes
import JWTKit
import Testing

/// Bearer tokens against the real server: every bad token is refused with 401 and a `WWW-Authenticate`
/// challenge and audited; the open paths stay open; SMART Backend Services issues tokens that work.
@Suite("Authentication")
struct AuthenticationTests {
    static func claims(
        issuer: String = SecuredHub.issuer, audience: String = Hub.base, expires: TimeInterval = 600, extra: [String: Any] = [:]
    ) -> [String: Any] {
        let now = Date().timeIntervalSince1970
        var claims: [String: Any] = [
            "iss": issuer, "aud": audience, "sub": "tester", "exp": Int(now + expires), "iat": Int(now) - 5,
            "scope": "user/Patient.rs", "role": "support",
        ]
        claims.merge(extra) { $1 }
        return claims
    }

    /// Expects a 401 with an OperationOutcome and a Bearer challenge; returns the challenge.
    @discardableResult
    static func expectChallenge(_ reply: Reply, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try reply.expectError(401, code: "login", sourceLocation: sourceLocation)
        let challenge = try #require(reply.header("WWW-Authenticate"), sourceLocation: sourceLocation)
        #expect(challenge.hasPrefix(#"Bearer realm="carebridge""#), sourceLocation: sourceLocation)
        return challenge
    }

    @Test("Expired, not yet valid, wrong audience, wrong issuer, bad signature, alg none, unknown kid, malformed: 401")
    func badTokens() async throws {
        let now = Int(Date().timeIntervalSince1970)
        let bad: [(String, String)] = [
            ("expired", SecuredHub.sign(Self.claims(expires: -120))),
            ("not yet valid", SecuredHub.sign(Self.claims(extra: ["nbf": now + 600]))),
            ("wrong audience", SecuredHub.sign(Self.claims(audience: "https://elsewhere.example.org/fhir"))),
            ("wrong issuer", SecuredHub.sign(Self.claims(issuer: "https://evil.example.org"))),
            ("bad signature", SecuredHub.sign(Self.claims(), secret: "another-secret-that-is-long-enough-to-use")),
            ("alg none", SecuredHub.sign(Self.claims(), header: ["alg": "none"]).split(separator: ".").prefix(2).joined(separator: ".") + "."),
            ("unknown kid", SecuredHub.sign(Self.claims(), header: ["alg": "HS256", "kid": "rotated-away"])),
            ("HS256 against the hub's own issuer", SecuredHub.sign(Self.claims(issuer: "http://localhost/auth"))),
            ("unknown role", SecuredHub.sign(Self.claims(extra: ["role": "root"]))),
            ("malformed", "not-a-jwt"),
        ]
        try await TokenHub.run { tokens in
            for (name, token) in bad {
                let reply = try await tokens.hub.get("/fhir/Patient", headers: ["Authorization": "Bearer \(token)"])
                let challenge = try Self.expectChallenge(reply)
                #expect(challenge.contains(#"error="invalid_token""#), "\(name): \(challenge)")
                let expected = name == "expired" ? "expired" : name == "not yet valid" ? "not valid yet" : "is not valid"
                #expect(challenge.contains(expected), "\(name): \(challenge)")
                #expect(!reply.text.contains("signature") && !reply.text.contains("kid"), "\(name) says too much: \(reply.text)")
            }
            let good = SecuredHub.sign(Self.claims())
            #expect(try await tokens.hub.get("/fhir/Patient", headers: ["Authorization": "Bearer \(good)"]).status == 200)
        }
    }

    @Test("No credentials, another scheme or an empty bearer: 401 naming only the realm")
    func missingToken() async throws {
        try await TokenHub.run { tokens in
            for headers in [[:], ["Authorization": "Basic dXNlcjpwYXNz"], ["Authorization": "Bearer "]] {
                let challenge = try Self.expectChallenge(try await tokens.hub.get("/fhir/Patient", headers: headers))
                #expect(challenge == #"Bearer realm="carebridge""#)
            }
            try Self.expectChallenge(try await tokens.hub.post("/fhir/Patient", Sample.patient()))
            try Self.expectChallenge(try await tokens.hub.get("/webhooks/subscriptions"))
            try Self.expectChallenge(try await tokens.hub.get("/fhir/metadata/"))
        }
    }

    @Test("Health, metadata, SMART configuration, JWKS and the token endpoint need no token")
    func openPaths() async throws {
        try await TokenHub.run { tokens in
            #expect(try await tokens.hub.get("/health").status == 200)
            let metadata = try await tokens.hub.get("/fhir/metadata")
            #expect(metadata.status == 200)
            let security = try metadata.json["rest"]?.arrayValue?.first?["security"]
            let service = security?["service"]?.arrayValue?.first?["coding"]?.arrayValue?.first
            #expect(service?["code"]?.stringValue == "SMART-on-FHIR")
            let uris = security?["extension"]?.arrayValue?.first?["extension"]?.arrayValue ?? []
            #expect(uris.first { $0["url"]?.stringValue == "token" }?["valueUri"]?.stringValue == TokenHub.tokenEndpoint)
            for path in ["/.well-known/smart-configuration", "/fhir/.well-known/smart-configuration"] {
                let reply = try await tokens.hub.get(path)
                #expect(reply.status == 200, "\(path): \(reply.text)")
                let json = try reply.json
                #expect(json["token_endpoint"]?.stringValue == TokenHub.tokenEndpoint)
                #expect(json["jwks_uri"]?.stringValue == "http://localhost/auth/jwks")
                #expect(json["token_endpoint_auth_methods_supported"]?.arrayValue?.first?.stringValue == "private_key_jwt")
                let capabilities = json["capabilities"]?.arrayValue?.compactMap(\.stringValue) ?? []
                #expect(capabilities.contains("client-confidential-asymmetric"))
            }
            let jwks = try await tokens.hub.get("/auth/jwks")
            #expect(jwks.status == 200)
            let key = try #require(try jwks.json["keys"]?.arrayValue?.first)
            #expect(key["kty"]?.stringValue == "EC")
            #expect(key["d"] == nil)
            let payment = try await tokens.hub.post("/payments/webhook/acme", "{}", headers: ["Content-Type": "application/json"])
            #expect(payment.header("WWW-Authenticate") == nil, "the payment webhook has its own signatures: \(payment.text)")
            let token = try await tokens.hub.send(.post, "/auth/token", body: "grant_type=password", headers: ["Content-Type": "application/x-www-form-urlencoded"])
            #expect(token.status == 400)
            #expect(try token.json["error"]?.stringValue == "unsupported_grant_type")
        }
    }

    @Test("SMART Backend Services: an ES384 assertion gets an access token cut to the role, and it reads data")
    func backendServices() async throws {
        try await TokenHub.run { tokens in
            let reply = try await tokens.requestToken(
                assertion: try await tokens.assertion(), scope: "system/Patient.rs system/Observation.rs system/Appointment.rs carebridge/admin"
            )
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.header("Cache-Control") == "no-store")
            let json = try reply.json
            #expect(json["token_type"]?.stringValue == "bearer")
            let scope = Set((json["scope"]?.stringValue ?? "").split(separator: " ").map(String.init))
            #expect(scope == ["system/Patient.rs", "system/Observation.rs"])
            let accessToken = try #require(json["access_token"]?.stringValue)
            let search = try await tokens.hub.get("/fhir/Patient", headers: ["Authorization": "Bearer \(accessToken)"])
            #expect(search.status == 200, "\(search.text)")
        }
    }

    @Test("The token endpoint refuses replays, other audiences, expired assertions, unknown keys and bad requests")
    func tokenEndpointErrors() async throws {
        try await TokenHub.run { tokens in
            let assertion = try await tokens.assertion()
            #expect(try await tokens.requestToken(assertion: assertion).status == 200)
            let cases: [(String, Reply, Int, String)] = [
                ("replay", try await tokens.requestToken(assertion: assertion), 401, "invalid_client"),
                ("audience", try await tokens.requestToken(assertion: try await tokens.assertion(audience: Hub.base)), 401, "invalid_client"),
                ("expired", try await tokens.requestToken(assertion: try await tokens.assertion(expiresIn: -120)), 401, "invalid_client"),
                ("unknown kid", try await tokens.requestToken(assertion: try await tokens.assertion(keyID: "other")), 401, "invalid_client"),
                ("other key", try await tokens.requestToken(assertion: try await tokens.assertion(key: ES384PrivateKey())), 401, "invalid_client"),
                ("no allowed scope", try await tokens.requestToken(assertion: try await tokens.assertion(), scope: "system/Task.rs"), 400, "invalid_scope"),
                ("JSON body", try await tokens.hub.post("/auth/token", "{}", headers: ["Content-Type": "application/json"]), 400, "invalid_request"),
            ]
            for (name, reply, status, error) in cases {
                #expect(reply.status == status, "\(name): \(reply.text)")
                #expect(try reply.json["error"]?.stringValue == error, "\(name): \(reply.text)")
                #expect(reply.header("Content-Type")?.hasPrefix("application/json") == true)
                if status == 401 { #expect(try reply.json["error_description"]?.stringValue == "Client authentication failed") }
            }
        }
    }

    @Test("A failed authentication is stored as an AuditEvent (User Authentication, minor failure, unauthenticated)")
    func audited() async throws {
        try await TokenHub.run { tokens in
            let expired = SecuredHub.sign(Self.claims(expires: -120))
            try Self.expectChallenge(try await tokens.hub.get("/fhir/Observation?code=1234-5", headers: ["Authorization": "Bearer \(expired)"]))
            let admin = SecuredHub.token(role: "administrator")
            let deadline = ContinuousClock.now + .seconds(20)
            var events: [JSONValue] = []
            while ContinuousClock.now < deadline {
                let reply = try await tokens.hub.get(
                    "/fhir/AuditEvent?type=http://dicom.nema.org/resources/ontology/DCM|110114&outcome=4",
                    headers: ["Authorization": "Bearer \(admin)"]
                )
                #expect(reply.status == 200, "\(reply.text)")
                events = try reply.json.entries.compactMap { $0["resource"] }
                if !events.isEmpty { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let event = try #require(events.first, "no failed authentication was audited")
            let description = event["outcomeDesc"]?.stringValue ?? ""
            #expect(description.contains("expired"), "\(description)")
            #expect(description.contains("GET /fhir/Observation"), "\(description)")
            #expect(!description.contains(expired), "the token itself is not stored")
        }
    }
}
