@testable import Authorization
import Foundation
import JWTKit
import Testing

@Suite("Token endpoint (SMART Backend Services)")
struct TokenIssuerTests {
    static let audience = "https://hub.example.org/fhir"
    static let endpoint = "https://hub.example.org/auth/token"

    struct Setup {
        let lab: TestKey
        let billing: TestKey
        let configuration: SecurityConfiguration
        let hubKey: HubSigningKey
        let issuer: TokenIssuer

        init() throws {
            lab = try TestKey(.es384, kid: "lab-2025")
            billing = try TestKey(.rs384, kid: "billing-2025")
            configuration = try SecurityConfiguration(
                audience: TokenIssuerTests.audience, tokenLifetime: 600,
                roles: [
                    "lab-system": ScopeSet("system/Observation.cruds system/Patient.rs carebridge/ingest"),
                    "billing-system": ScopeSet("system/Invoice.cruds system/Patient.rs"),
                ],
                clients: [
                    try BackendClient(clientID: "lab", role: "lab-system", keySet: try lab.keySet),
                    try BackendClient(clientID: "billing", role: "billing-system", keySet: try billing.keySet),
                ]
            )
            hubKey = try HubSigningKey.generate()
            issuer = TokenIssuer(configuration: configuration, hubKey: hubKey)
        }
    }

    static func assertion(
        client: String = "lab", audience: String = endpoint, expires: TimeInterval = 240, jti: String = UUID().uuidString,
        extra: [String: ClaimValue] = [:]
    ) -> [String: ClaimValue] {
        var claims: [String: ClaimValue] = [
            "iss": .string(client), "sub": .string(client), "aud": .string(audience), "exp": Claims.time(expires), "jti": .string(jti),
        ]
        claims.merge(extra) { $1 }
        return claims
    }

    static func form(_ assertion: String, scope: String = "system/Observation.rs") -> TokenRequestForm {
        TokenRequestForm([
            "grant_type": "client_credentials", "client_assertion_type": TokenIssuer.assertionType,
            "client_assertion": assertion, "scope": scope,
        ])
    }

    static func expectRefused(
        _ code: AuthorizationError.Code, status: Int, _ form: TokenRequestForm, by issuer: TokenIssuer, mentioning words: String? = nil
    ) async {
        do {
            let token = try await issuer.issue(form)
            Issue.record("issued \(token.scope), expected \(code)")
        } catch let error as AuthorizationError {
            #expect(error.code == code, "\(error)")
            #expect(error.oauthError?.status == status)
            if let words { #expect(error.message.contains(words), "\(error.message)") }
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("ES384 and RS384 clients get an ES256 access token the verifier accepts, with their role")
    func goodFlow() async throws {
        let setup = try Setup()
        let verifier = TokenVerifier(configuration: setup.configuration, hubKey: setup.hubKey)
        for (key, client, scope) in [(setup.lab, "lab", "system/Observation.rs"), (setup.billing, "billing", "system/Invoice.cruds")] {
            let issued = try await setup.issuer.issue(Self.form(try await key.sign(Self.assertion(client: client)), scope: scope))
            #expect(issued.scope == scope)
            #expect(issued.expiresIn == 600)
            let token = try CompactToken(issued.accessToken)
            #expect(token.algorithm == "ES256")
            #expect(token.keyID == setup.hubKey.keyID)
            #expect(token.unverifiedClaims.string("iss") == "https://hub.example.org/auth")
            #expect(token.unverifiedClaims.string("jti") != nil)
            let grant = try await verifier.verify(issued.accessToken)
            #expect(grant.clientID == client)
            #expect(grant.roles == [client == "lab" ? "lab-system" : "billing-system"])
            #expect(grant.decide(.read, on: scope == "system/Invoice.cruds" ? "Invoice" : "Observation") == .allowed)
            let json = try JSONDecoder().decode([String: ClaimValue].self, from: Data(try issued.json.utf8))
            #expect(json["token_type"] == .string("bearer"))
            #expect(json["expires_in"] == .number(600))
        }
    }

    @Test("The requested scope is cut to the client's role; nothing left is invalid_scope")
    func scopeCut() async throws {
        let setup = try Setup()
        let issued = try await setup.issuer.issue(Self.form(
            try await setup.lab.sign(Self.assertion()), scope: "system/*.cruds carebridge/ingest carebridge/admin"
        ))
        #expect(Set(issued.scope.split(separator: " ")) == ["system/Observation.cruds", "system/Patient.rs", "carebridge/ingest"])
        await Self.expectRefused(.invalidScope, status: 400, Self.form(
            try await setup.lab.sign(Self.assertion()), scope: "system/Appointment.rs carebridge/admin"
        ), by: setup.issuer)
    }

    @Test("A replayed assertion (same jti) is refused")
    func replay() async throws {
        let setup = try Setup()
        let assertion = try await setup.lab.sign(Self.assertion(jti: "once"))
        _ = try await setup.issuer.issue(Self.form(assertion))
        await Self.expectRefused(.invalidClient, status: 401, Self.form(assertion), by: setup.issuer, mentioning: "jti")
        await Self.expectRefused(
            .invalidClient, status: 401, Self.form(try await setup.lab.sign(Self.assertion(jti: "once"))), by: setup.issuer, mentioning: "jti"
        )
        var noJTI = Self.assertion()
        noJTI["jti"] = nil
        await Self.expectRefused(.invalidClient, status: 401, Self.form(try await setup.lab.sign(noJTI)), by: setup.issuer, mentioning: "jti")
    }

    @Test("Wrong audience, expired and too long-lived assertions are refused")
    func assertionClaims() async throws {
        let setup = try Setup()
        await Self.expectRefused(
            .invalidClient, status: 401, Self.form(try await setup.lab.sign(Self.assertion(audience: Self.audience))), by: setup.issuer,
            mentioning: "not \(Self.endpoint)"
        )
        await Self.expectRefused(
            .invalidClient, status: 401, Self.form(try await setup.lab.sign(Self.assertion(expires: -120))), by: setup.issuer, mentioning: "expired"
        )
        await Self.expectRefused(
            .invalidClient, status: 401, Self.form(try await setup.lab.sign(Self.assertion(expires: 3600))), by: setup.issuer,
            mentioning: "five minutes"
        )
        await Self.expectRefused(
            .invalidClient, status: 401, Self.form(try await setup.lab.sign(Self.assertion(extra: ["sub": .string("billing")]))),
            by: setup.issuer, mentioning: "iss and sub"
        )
    }

    @Test("Unknown clients, unregistered keys and other clients' keys are refused")
    func clients() async throws {
        let setup = try Setup()
        await Self.expectRefused(
            .invalidClient, status: 401, Self.form(try await setup.lab.sign(Self.assertion(client: "stranger"))), by: setup.issuer,
            mentioning: "not registered"
        )
        await Self.expectRefused(
            .invalidClient, status: 401, Self.form(try await TestKey(.es384, kid: "lab-2026").sign(Self.assertion())), by: setup.issuer,
            mentioning: "kid"
        )
        await Self.expectRefused(
            .invalidClient, status: 401, Self.form(try await TestKey(.es384, kid: "lab-2025").sign(Self.assertion())), by: setup.issuer,
            mentioning: "signature"
        )
        await Self.expectRefused(
            .invalidClient, status: 401, Self.form(try await setup.billing.sign(Self.assertion(client: "lab"))), by: setup.issuer
        )
        await Self.expectRefused(
            .invalidClient, status: 401,
            Self.form(compactToken(header: #"{"alg":"none","kid":"lab-2025"}"#, claims: #"{"iss":"lab","sub":"lab"}"#)),
            by: setup.issuer
        )
    }

    @Test("Other grant types, missing parameters and repeated parameters are refused with their OAuth error")
    func requestShape() async throws {
        let setup = try Setup()
        let assertion = try await setup.lab.sign(Self.assertion())
        var parameters = Self.form(assertion).parameters
        parameters["grant_type"] = "authorization_code"
        await Self.expectRefused(.unsupportedGrantType, status: 400, TokenRequestForm(parameters), by: setup.issuer)
        parameters["grant_type"] = nil
        await Self.expectRefused(.invalidRequest, status: 400, TokenRequestForm(parameters), by: setup.issuer)
        parameters = Self.form(assertion).parameters
        parameters["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"
        await Self.expectRefused(.invalidClient, status: 401, TokenRequestForm(parameters), by: setup.issuer)
        parameters = Self.form(assertion).parameters
        parameters["scope"] = nil
        await Self.expectRefused(.invalidRequest, status: 400, TokenRequestForm(parameters), by: setup.issuer)
        parameters = Self.form(assertion).parameters
        parameters["client_id"] = "billing"
        await Self.expectRefused(.invalidClient, status: 401, TokenRequestForm(parameters), by: setup.issuer)
        #expect(throws: AuthorizationError.self) { try TokenRequestForm(body: "scope=a&scope=b") }
        let form = try TokenRequestForm(body: "grant_type=client_credentials&scope=system%2FPatient.rs+openid&empty=")
        #expect(form["scope"] == "system/Patient.rs openid")
        #expect(form["empty"] == nil)
    }

    @Test("The SMART configuration document describes the endpoint")
    func smartConfiguration() throws {
        let setup = try Setup()
        let json = try JSONDecoder().decode([String: ClaimValue].self, from: Data(try SMARTConfigurationDocument.json(for: setup.configuration).utf8))
        #expect(json["token_endpoint"] == .string(Self.endpoint))
        #expect(json["jwks_uri"] == .string("https://hub.example.org/auth/jwks"))
        #expect(json["token_endpoint_auth_methods_supported"] == .array([.string("private_key_jwt")]))
        guard case .array(let capabilities) = json["capabilities"] else { Issue.record("no capabilities"); return }
        #expect(capabilities.contains(.string("client-confidential-asymmetric")))
        #expect(capabilities.contains(.string("permission-v2")))
    }
}
