@testable import Authorization
import Foundation
import JWTKit
import Synchronization
import Testing

@Suite("Token verification")
struct TokenVerifierTests {
    static let audience = "https://hub.example.org/fhir"
    static let secret = "development-secret-of-32-bytes!!"

    /// An issuer `idp` with an ES256 and an RS256 key, a development HS256 issuer, and roles.
    struct Setup {
        let es256: TestKey
        let rs256: TestKey
        let configuration: SecurityConfiguration
        let hubKey: HubSigningKey
        let verifier: TokenVerifier

        init() throws {
            es256 = try TestKey(.es256, kid: "idp-ec")
            rs256 = try TestKey(.rs256, kid: "idp-rsa")
            configuration = try SecurityConfiguration(
                audience: TokenVerifierTests.audience,
                roles: ["support": ScopeSet("user/Task.cruds user/Patient.rs"), "patient": ScopeSet("patient/*.rs")],
                issuers: [
                    try TrustedIssuer(issuer: "https://idp.example.org", keys: .keySet(JWKS(keys: [try es256.publicJWK, try rs256.publicJWK]))),
                    try TrustedIssuer(issuer: "dev", keys: .sharedSecret(Array(TokenVerifierTests.secret.utf8)), roleClaim: "groups"),
                ]
            )
            hubKey = try HubSigningKey.generate()
            verifier = TokenVerifier(configuration: configuration, hubKey: hubKey)
        }
    }

    static func claims(
        issuer: String = "https://idp.example.org", audience: ClaimValue = .string(audience), expires: TimeInterval = 300,
        extra: [String: ClaimValue] = [:]
    ) -> [String: ClaimValue] {
        var claims: [String: ClaimValue] = [
            "iss": .string(issuer), "sub": .string("alice"), "aud": audience, "exp": Claims.time(expires),
            "iat": Claims.time(-10), "scope": .string("user/Task.rs user/Observation.rs"), "azp": .string("portal"),
        ]
        claims.merge(extra) { $1 }
        return claims
    }

    static func expectRejected(_ code: AuthorizationError.Code, _ token: String, by verifier: TokenVerifier) async {
        do {
            let grant = try await verifier.verify(token)
            Issue.record("accepted \(grant), expected \(code)")
        } catch let error as AuthorizationError {
            #expect(error.code == code, "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("A good ES256 or RS256 token gives a grant with scopes, roles, ceiling, client and patient")
    func accepted() async throws {
        let setup = try Setup()
        for key in [setup.es256, setup.rs256] {
            let token = try await key.sign(Self.claims(extra: [
                "role": .array([.string("support")]), "patient": .string("p1"), "fhirUser": .string("Practitioner/7"),
            ]))
            let grant = try await setup.verifier.verify(token)
            #expect(grant.clientID == "portal")
            #expect(grant.subject == "alice")
            #expect(grant.fhirUser == "Practitioner/7")
            #expect(grant.patientID == "p1")
            #expect(grant.roles == ["support"])
            #expect(grant.decide(.read, on: "Task") == .allowed)
            #expect(grant.decide(.read, on: "Observation") == .denied, "the support role does not allow Observation")
        }
    }

    @Test("aud may be a list that contains the audience; a token without a role has no ceiling")
    func audienceList() async throws {
        let setup = try Setup()
        let token = try await setup.es256.sign(Self.claims(audience: .array([.string("other"), .string(Self.audience)])))
        let grant = try await setup.verifier.verify(token)
        #expect(grant.ceiling == nil)
        #expect(grant.decide(.read, on: "Observation") == .allowed)
    }

    @Test("Expired, not yet valid and issued-in-the-future tokens are refused; the leeway is small")
    func times() async throws {
        let setup = try Setup()
        await Self.expectRejected(.expired, try await setup.es256.sign(Self.claims(expires: -60)), by: setup.verifier)
        await Self.expectRejected(.notYetValid, try await setup.es256.sign(Self.claims(extra: ["nbf": Claims.time(120)])), by: setup.verifier)
        await Self.expectRejected(.notYetValid, try await setup.es256.sign(Self.claims(extra: ["iat": Claims.time(600)])), by: setup.verifier)
        var noExpiry = Self.claims()
        noExpiry["exp"] = nil
        await Self.expectRejected(.missingClaim, try await setup.es256.sign(noExpiry), by: setup.verifier)
        // Within the leeway: expired 10 s ago, valid from 10 s ahead.
        _ = try await setup.verifier.verify(try await setup.es256.sign(Self.claims(expires: -10, extra: ["nbf": Claims.time(10)])))
    }

    @Test("Wrong audience and unknown issuer are refused")
    func audienceAndIssuer() async throws {
        let setup = try Setup()
        await Self.expectRejected(.wrongAudience, try await setup.es256.sign(Self.claims(audience: .string("https://other.example.org/fhir"))), by: setup.verifier)
        var noAudience = Self.claims()
        noAudience["aud"] = nil
        await Self.expectRejected(.wrongAudience, try await setup.es256.sign(noAudience), by: setup.verifier)
        await Self.expectRejected(.unknownIssuer, try await setup.es256.sign(Self.claims(issuer: "https://evil.example.org")), by: setup.verifier)
    }

    @Test("A token signed by another key under a known kid fails its signature")
    func badSignature() async throws {
        let setup = try Setup()
        let impostor = try TestKey(.es256, kid: "idp-ec")
        await Self.expectRejected(.badSignature, try await impostor.sign(Self.claims()), by: setup.verifier)
        let good = try await setup.es256.sign(Self.claims())
        let parts = good.split(separator: ".")
        let tampered = "\(parts[0]).\(Base64URL.encode(Data(#"{"iss":"https://idp.example.org","aud":"\#(Self.audience)","exp":9999999999,"scope":"system/*.*"}"#.utf8))).\(parts[2])"
        await Self.expectRejected(.badSignature, tampered, by: setup.verifier)
    }

    @Test("alg none, algorithms the key is not for, unknown and missing kids are refused")
    func algorithmsAndKeys() async throws {
        let setup = try Setup()
        let claims = #"{"iss":"https://idp.example.org","aud":"\#(Self.audience)","exp":9999999999}"#
        await Self.expectRejected(.unsupportedAlgorithm, compactToken(header: #"{"alg":"none","kid":"idp-ec"}"#, claims: claims), by: setup.verifier)
        await Self.expectRejected(.unsupportedAlgorithm, compactToken(header: #"{"alg":"none"}"#, claims: claims, signature: "abc"), by: setup.verifier)
        // An HS256 token claiming the RSA key's kid (the public key used as an HMAC secret) is not verified with it.
        await Self.expectRejected(
            .unsupportedAlgorithm, try await TestKey(.hs256(Self.secret), kid: "idp-rsa").sign(Self.claims()), by: setup.verifier
        )
        await Self.expectRejected(.unknownKey, try await TestKey(.es256, kid: "idp-unknown").sign(Self.claims()), by: setup.verifier)
        await Self.expectRejected(.unknownKey, try await setup.es256.sign(Self.claims(), kid: .some(nil)), by: setup.verifier)
        await Self.expectRejected(.malformedToken, "not.a-token", by: setup.verifier)
        await Self.expectRejected(.malformedToken, "abc", by: setup.verifier)
    }

    @Test("An HS256 development issuer: its secret verifies, another secret or a kid does not; roles from its claim")
    func sharedSecret() async throws {
        let setup = try Setup()
        let claims = Self.claims(issuer: "dev", extra: ["groups": .string("patient"), "patient": .string("p7")])
        let grant = try await setup.verifier.verify(try await TestKey(.hs256(Self.secret), kid: "").sign(claims, kid: .some(nil)))
        #expect(grant.roles == ["patient"])
        #expect(grant.decide(.read, on: "Observation") == .withinCompartment(patientID: "p7"), "the patient role narrows user/ scopes")
        await Self.expectRejected(
            .badSignature, try await TestKey(.hs256("another-secret-of-at-least-32-bytes"), kid: "").sign(claims, kid: .some(nil)), by: setup.verifier
        )
        await Self.expectRejected(.unknownKey, try await TestKey(.hs256(Self.secret), kid: "k").sign(claims), by: setup.verifier)
        #expect(throws: AuthorizationError.self) {
            try TrustedIssuer(issuer: "dev", keys: .sharedSecret(Array("short-secret".utf8)))
        }
    }

    @Test("A role the configuration does not know is refused")
    func unknownRole() async throws {
        let setup = try Setup()
        await Self.expectRejected(.unknownRole, try await setup.es256.sign(Self.claims(extra: ["role": .string("root")])), by: setup.verifier)
        await Self.expectRejected(.missingClaim, try await setup.es256.sign(Self.claims(extra: ["role": .number(1)])), by: setup.verifier)
    }

    @Test("A key set URL is fetched on first use and again for a new kid, at most once a minute")
    func keySetURL() async throws {
        let first = try TestKey(.es256, kid: "one")
        let second = try TestKey(.es256, kid: "two")
        let fetcher = try CountingFetcher(keySet: try first.keySet)
        let clock = TestClock()
        let configuration = try SecurityConfiguration(
            audience: Self.audience, roles: ["a": ScopeSet("user/*.rs")],
            issuers: [try TrustedIssuer(issuer: "https://idp.example.org", keys: .keySetURL(URL(string: "https://idp.example.org/jwks")!))]
        )
        let verifier = TokenVerifier(configuration: configuration, hubKey: try .generate(), fetcher: fetcher, clock: { clock.now })
        _ = try await verifier.verify(try await first.sign(Self.claims()))
        _ = try await verifier.verify(try await first.sign(Self.claims()))
        #expect(await fetcher.count == 1)
        try await fetcher.publish(JWKS(keys: [try first.publicJWK, try second.publicJWK]))
        await Self.expectRejected(.unknownKey, try await second.sign(Self.claims()), by: verifier)
        #expect(await fetcher.count == 1, "no second fetch within a minute")
        clock.advance(61)
        _ = try await verifier.verify(try await second.sign(Self.claims(expires: 400)))
        #expect(await fetcher.count == 2)
        await Self.expectRejected(.unknownKey, try await TestKey(.es256, kid: "three").sign(Self.claims(expires: 400)), by: verifier)
        #expect(await fetcher.count == 2)
    }

    @Test("The hub's own tokens verify with its key; its JWKS publishes the public key under the thumbprint kid")
    func hubKey() async throws {
        let setup = try Setup()
        let keySet = try JSONDecoder().decode(JWKS.self, from: Data(try setup.hubKey.publicKeySetJSON.utf8))
        #expect(keySet.keys.first?.keyIdentifier?.string == setup.hubKey.keyID)
        #expect(keySet.keys.first?.privateExponent == nil)
        #expect(!(try setup.hubKey.publicKeySetJSON).contains("\"d\""))
    }
}

/// A key set server stand-in: counts fetches.
actor CountingFetcher: KeySetFetching {
    private var document: Data
    private(set) var count = 0

    init(keySet: JWKS) throws {
        document = try JSONEncoder().encode(keySet)
    }

    func publish(_ keySet: JWKS) throws {
        document = try JSONEncoder().encode(keySet)
    }

    func keySet(from url: URL) async throws -> Data {
        count += 1
        return document
    }
}

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let offset = Mutex<TimeInterval>(0)

    var now: Date { Date().addingTimeInterval(offset.withLock { $0 }) }

    func advance(_ seconds: TimeInterval) {
        offset.withLock { $0 += seconds }
    }
}
