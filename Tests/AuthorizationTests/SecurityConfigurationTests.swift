@testable import Authorization
import Foundation
import JWTKit
import Testing

@Suite("Security configuration")
struct SecurityConfigurationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let secret = String(repeating: "s", count: 32)

    /// A folder with one key set file, and YAML read relative to it.
    static func load(_ yaml: String, environment: [String: String] = [:]) throws -> SecurityConfiguration {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("carebridge-auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = try TestKey(.es384, kid: "k1")
        try JSONEncoder().encode(try key.keySet).write(to: folder.appendingPathComponent("client.jwks.json"))
        try Data("not json".utf8).write(to: folder.appendingPathComponent("broken.jwks.json"))
        return try SecurityConfiguration(yaml: yaml, folder: folder, defaultAudience: "http://localhost:8080/fhir", environment: environment)
    }

    static func expectFailure(_ code: AuthorizationError.Code, mentioning words: String, _ yaml: String, environment: [String: String] = [:]) {
        do {
            _ = try load(yaml, environment: environment)
            Issue.record("loaded, but should fail with \(code)")
        } catch let error as AuthorizationError {
            #expect(error.code == code, "\(error)")
            #expect(error.message.contains(words), "\(error.message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("The sample configuration loads: roles, clients, issuers and derived URLs")
    func sample() throws {
        let path = Self.repository.appendingPathComponent("samples/auth/carebridge-auth.yaml").path
        let configuration = try SecurityConfiguration.load(contentsOf: path, defaultAudience: "http://unused/fhir", environment: [:])
        #expect(configuration.audience == "http://localhost:8080/fhir")
        #expect(configuration.tokenEndpoint == "http://localhost:8080/auth/token")
        #expect(configuration.issuer == "http://localhost:8080/auth")
        #expect(configuration.jwksURI == "http://localhost:8080/auth/jwks")
        #expect(Set(configuration.roles.keys).isSuperset(of: ["administrator", "support", "medical-support", "patient"]))
        #expect(Set(configuration.clients.keys) == ["lab-system", "billing-system", "ehr-system"])
        let support = try #require(configuration.roles["support"])
        #expect(support.reach(.read, on: "Observation") == .none)
        #expect(support.reach(.read, on: "DiagnosticReport") == .none)
        #expect(support.reach(.create, on: "Communication") == .everywhere)
        #expect(support.reach(.read, on: "Patient") == .everywhere)
        let medical = try #require(configuration.roles["medical-support"])
        #expect(medical.reach(.create, on: "MedicationRequest") == .everywhere)
        #expect(medical.reach(.read, on: "Patient") == .everywhere)
        #expect(medical.reach(.update, on: "Patient") == .none)
        #expect(try #require(configuration.roles["administrator"]).contains(HubScope.admin))
        #expect(configuration.roles["patient"]?.reach(.read, on: "Observation") == .patientCompartment)
    }

    @Test("A minimal file: defaults for audience and lifetime, inline key set, HS256 secret from the environment")
    func minimal() throws {
        let key = try TestKey(.es256, kid: "inline-1")
        let jwk = try key.publicJWK
        let configuration = try Self.load("""
            roles:
              lab: [system/Observation.cruds]
            issuers:
              - issuer: dev
                hs256_secret_env: DEV_SECRET
            clients:
              - client_id: lab-1
                role: lab
                jwks:
                  keys:
                    - {kty: EC, crv: P-256, kid: inline-1, x: "\(jwk.x ?? "")", y: "\(jwk.y ?? "")"}
            """, environment: ["DEV_SECRET": Self.secret])
        #expect(configuration.audience == "http://localhost:8080/fhir")
        #expect(configuration.tokenLifetime == 300)
        #expect(configuration.clients["lab-1"]?.keySet.keys.first?.keyIdentifier?.string == "inline-1")
        #expect(configuration.signingKeyFile == nil)
    }

    @Test("A client with a role that is not configured is refused")
    func unknownRole() {
        Self.expectFailure(.unknownRole, mentioning: "lab-system", """
            roles:
              support: [user/Task.cruds]
            clients:
              - client_id: lab-1
                role: lab-system
                jwks_file: client.jwks.json
            """)
    }

    @Test("An HS256 secret shorter than 32 bytes, or missing from the environment, is refused")
    func weakSecret() {
        let yaml = """
            roles:
              support: [user/Task.cruds]
            issuers:
              - issuer: dev
                hs256_secret_env: DEV_SECRET
            """
        Self.expectFailure(.weakSecret, mentioning: "31 bytes", yaml, environment: ["DEV_SECRET": String(repeating: "x", count: 31)])
        Self.expectFailure(.weakSecret, mentioning: "DEV_SECRET", yaml)
    }

    @Test("Unreadable, malformed and private key sets are refused")
    func keySets() throws {
        let missing = """
            roles: {lab: [system/Observation.rs]}
            clients: [{client_id: lab-1, role: lab, jwks_file: nowhere.json}]
            """
        Self.expectFailure(.unreadableKeySet, mentioning: "nowhere.json", missing)
        let broken = """
            roles: {lab: [system/Observation.rs]}
            clients: [{client_id: lab-1, role: lab, jwks_file: broken.jwks.json}]
            """
        Self.expectFailure(.unreadableKeySet, mentioning: "broken.jwks.json", broken)
        let privateKey = ES256PrivateKey()
        let parameters = try #require(privateKey.parameters)
        let withPrivate = """
            roles: {lab: [system/Observation.rs]}
            clients:
              - client_id: lab-1
                role: lab
                jwks: {keys: [{kty: EC, crv: P-256, kid: a, x: "\(parameters.x)", y: "\(parameters.y)", d: "AAAA"}]}
            """
        Self.expectFailure(.unreadableKeySet, mentioning: "private key", withPrivate)
        let badCurve = """
            roles: {lab: [system/Observation.rs]}
            clients:
              - client_id: lab-1
                role: lab
                jwks: {keys: [{kty: EC, crv: P-256, kid: a, x: "AAAA", y: "AAAA"}]}
            """
        Self.expectFailure(.unreadableKeySet, mentioning: "key 'a'", badCurve)
    }

    @Test("Misspelt keys, unknown scopes, bad lifetimes and plain-http key URLs are refused")
    func shape() {
        Self.expectFailure(.invalidConfiguration, mentioning: "jwks_fle", """
            roles: {lab: [system/Observation.rs]}
            clients: [{client_id: lab-1, role: lab, jwks_fle: client.jwks.json}]
            """)
        Self.expectFailure(.invalidConfiguration, mentioning: "carebridge/admn", "roles: {admin: [user/*.*, carebridge/admn]}")
        Self.expectFailure(.invalidConfiguration, mentioning: "token_lifetime_seconds", "token_lifetime_seconds: 86400\nroles: {a: [user/*.*]}")
        Self.expectFailure(.invalidConfiguration, mentioning: "https", """
            roles: {a: [user/*.*]}
            issuers: [{issuer: idp, jwks_url: "http://idp.example.org/jwks"}]
            """)
        Self.expectFailure(.invalidConfiguration, mentioning: "no roles", "audience: http://localhost/fhir")
        Self.expectFailure(.invalidConfiguration, mentioning: "twice", """
            roles: {lab: [system/Observation.rs]}
            clients: [{client_id: lab-1, role: lab, jwks_file: client.jwks.json}, {client_id: lab-1, role: lab, jwks_file: client.jwks.json}]
            """)
    }

    @Test("The ceiling of several roles is their union; an unknown role is refused")
    func ceiling() throws {
        let configuration = try SecurityConfiguration(
            audience: "https://hub.example.org/fhir",
            roles: ["support": ScopeSet("user/Task.cruds"), "medical-support": ScopeSet("user/Observation.rs")]
        )
        let both = try #require(try configuration.ceiling(for: ["support", "medical-support"]))
        #expect(both.reach(.read, on: "Observation") == .everywhere)
        #expect(both.reach(.create, on: "Task") == .everywhere)
        #expect(try configuration.ceiling(for: []) == nil)
        #expect(throws: AuthorizationError.self) { try configuration.ceiling(for: ["nobody"]) }
    }
}
