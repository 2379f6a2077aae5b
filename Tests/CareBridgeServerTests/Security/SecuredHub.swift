import CareBridgeServer
import Crypto
import Foundation
import HTTPTypes
import Testing

/// The real hub with authorization on: a security configuration with the customer's roles and a
/// development HS256 issuer whose tokens the tests mint themselves.
struct SecuredHub: Sendable {
    let hub: Hub

    static let issuer = "carebridge-tests"
    static let secretVariable = "CAREBRIDGE_TEST_HS256_SECRET"
    static let secret = "a-development-secret-of-at-least-32-bytes-for-tests"

    /// The roles under test, as the configuration file states them.
    static let roles: [String: [String]] = [
        "administrator": ["system/*.*", "user/*.*", "carebridge/admin", "carebridge/ingest"],
        "support": [
            "user/Patient.crus", "user/Communication.cruds", "user/Task.cruds", "user/Appointment.cruds",
            "user/Practitioner.rs", "user/Organization.rs", "user/Location.rs", "user/Schedule.rs", "user/Slot.rs",
        ],
        "medical-support": [
            "user/Patient.rs", "user/Observation.cruds", "user/DiagnosticReport.cruds", "user/MedicationRequest.cruds",
            "user/Condition.cruds", "user/Encounter.rs", "user/Practitioner.rs",
        ],
        "patient": ["patient/*.rs", "patient/Communication.c"],
        "lab-system": ["system/Observation.cruds", "system/DiagnosticReport.cruds", "system/Patient.rs", "carebridge/ingest"],
    ]

    /// Runs `test` against a hub that demands tokens; `configure` may change the rest of its configuration.
    static func run<T: Sendable>(
        configure: @escaping (inout HubConfiguration) -> Void = { _ in }, _ test: @Sendable (SecuredHub) async throws -> T
    ) async throws -> T {
        try await runHub(configure: configure) { hub in try await test(SecuredHub(hub: hub)) }
    }

    /// Runs `test` against a hub whose security configuration has the audience, the roles and the development
    /// issuer, and the top-level keys `extraYAML` adds (clients, a signing key file), in a throwaway folder.
    static func runHub<T: Sendable>(
        extraYAML: String = "", configure: @escaping (inout HubConfiguration) -> Void = { _ in },
        _ test: @Sendable (Hub) async throws -> T
    ) async throws -> T {
        setenv(secretVariable, secret, 1)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("carebridge-auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var yaml = "audience: \(Hub.base)\nroles:\n"
        for (role, scopes) in roles.sorted(by: { $0.key < $1.key }) {
            yaml += "  \(role): [\(scopes.map { "\"\($0)\"" }.joined(separator: ", "))]\n"
        }
        yaml += "issuers:\n  - issuer: \(issuer)\n    hs256_secret_env: \(secretVariable)\n" + extraYAML
        let file = folder.appendingPathComponent("auth.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try await Hub.run(configure: { configuration in
            configuration.insecureDevelopment = false
            configuration.securityConfigurationFile = file.path
            configure(&configuration)
        }, test)
    }

    /// A bearer token for `role` (its whole ceiling unless `scope` narrows it), in `patient`'s context if given.
    static func token(role: String?, scope: String? = nil, patient: String? = nil, subject: String = "tester") -> String {
        var claims: [String: Any] = [
            "iss": issuer, "aud": Hub.base, "sub": subject, "client_id": "tests-\(role ?? "none")",
            "exp": Int(Date().timeIntervalSince1970) + 600, "iat": Int(Date().timeIntervalSince1970),
            "scope": scope ?? roles[role ?? ""]?.joined(separator: " ") ?? "",
        ]
        if let role { claims["role"] = role }
        if let patient { claims["patient"] = patient }
        return sign(claims)
    }

    /// An HS256 JWT over `claims` (`header` as given, for the tests of bad tokens).
    static func sign(_ claims: [String: Any], header: [String: Any] = ["alg": "HS256", "typ": "JWT"], secret: String = secret) -> String {
        let encode = { (object: [String: Any]) -> String in
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return base64URL(data)
        }
        let input = encode(header) + "." + encode(claims)
        let signature = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return input + "." + base64URL(Data(signature))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Sends a request with `token` as the bearer credential.
    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, token: String, body: String? = nil) async throws -> Reply {
        try await hub.send(method, uri, body: body, headers: ["Authorization": "Bearer \(token)"])
    }
}
