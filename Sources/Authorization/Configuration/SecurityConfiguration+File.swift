import Foundation
import JWTKit
import Yams

extension SecurityConfiguration {
    /// Reads the YAML file at `path`. Relative file names inside it (`jwks_file`, `signing_key_file`) are
    /// taken from the file's folder; HS256 secrets come from the environment variable each issuer names.
    /// `defaultAudience` (the hub's FHIR base URL) is used when the file gives no `audience`.
    public static func load(
        contentsOf path: String, defaultAudience: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> SecurityConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AuthorizationError(.invalidConfiguration, "cannot read the security configuration \(path)")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            return try SecurityConfiguration(
                yaml: String(decoding: data, as: UTF8.self), folder: folder, defaultAudience: defaultAudience, environment: environment
            )
        } catch let error as AuthorizationError {
            throw AuthorizationError(error.code, "\(path): \(error.message)")
        }
    }

    /// Reads the configuration from YAML text; relative file names are taken from `folder`.
    public init(yaml: String, folder: URL, defaultAudience: String, environment: [String: String]) throws {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw AuthorizationError(.invalidConfiguration, "the security configuration is empty")
            }
            root = node
        } catch let error as AuthorizationError {
            throw error
        } catch {
            throw AuthorizationError(.invalidConfiguration, "not valid YAML: \(error)")
        }
        let top = try ConfigurationSection(
            root, path: "",
            allowedKeys: ["audience", "token_lifetime_seconds", "signing_key_file", "roles", "issuers", "clients"]
        )
        let file = { (name: String) in name.hasPrefix("/") ? name : folder.appendingPathComponent(name).path }
        var roles: [String: ScopeSet] = [:]
        if let node = top.mapping["roles"] {
            let section = try ConfigurationSection(node, path: "roles", allowedKeys: Set(node.mapping?.keys.compactMap(\.string) ?? []))
            for key in section.mapping.keys.compactMap(\.string) {
                roles[key] = ScopeSet(try section.strings(key) ?? [])
            }
        }
        guard !roles.isEmpty else { throw AuthorizationError(.invalidConfiguration, "no roles are configured") }
        let issuers = try top.sequence("issuers").map { try Self.issuer($0.node, path: $0.path, file: file, environment: environment) }
        let clients = try top.sequence("clients").map { try Self.client($0.node, path: $0.path, file: file) }
        try self.init(
            audience: try top.string("audience") ?? defaultAudience,
            tokenLifetime: try top.integer("token_lifetime_seconds") ?? 300,
            signingKeyFile: try top.string("signing_key_file").map(file),
            roles: roles, issuers: issuers, clients: clients
        )
    }

    private static func issuer(
        _ node: Node, path: String, file: (String) -> String, environment: [String: String]
    ) throws -> TrustedIssuer {
        let section = try ConfigurationSection(
            node, path: path, allowedKeys: ["issuer", "jwks_file", "jwks_url", "jwks", "hs256_secret_env", "role_claim"]
        )
        let name = try section.requiredString("issuer")
        let keys: IssuerKeys
        if let variable = try section.string("hs256_secret_env") {
            guard section.mapping["jwks_file"] == nil, section.mapping["jwks_url"] == nil, section.mapping["jwks"] == nil else {
                throw AuthorizationError(.invalidConfiguration, "\(path) gives both an HS256 secret and public keys")
            }
            guard let secret = environment[variable], !secret.isEmpty else {
                throw AuthorizationError(.weakSecret, "\(path): the environment variable \(variable) holding the HS256 secret is not set")
            }
            keys = .sharedSecret(Array(secret.utf8))
        } else if let address = try section.string("jwks_url") {
            guard section.mapping["jwks_file"] == nil, section.mapping["jwks"] == nil else {
                throw AuthorizationError(.invalidConfiguration, "\(path) gives both jwks_url and another key set")
            }
            keys = .keySetURL(try keySetURL(address, place: section.place("jwks_url")))
        } else {
            keys = .keySet(try keySet(section, file: file))
        }
        do {
            return try TrustedIssuer(issuer: name, keys: keys, roleClaim: try section.string("role_claim") ?? "role")
        } catch let error as AuthorizationError {
            throw AuthorizationError(error.code, "\(path): \(error.message)")
        }
    }

    private static func client(_ node: Node, path: String, file: (String) -> String) throws -> BackendClient {
        let section = try ConfigurationSection(node, path: path, allowedKeys: ["client_id", "role", "jwks_file", "jwks"])
        do {
            return try BackendClient(
                clientID: try section.requiredString("client_id"), role: try section.requiredString("role"),
                keySet: try keySet(section, file: file)
            )
        } catch let error as AuthorizationError {
            throw AuthorizationError(error.code, error.message.hasPrefix(path) ? error.message : "\(path): \(error.message)")
        }
    }

    /// `jwks_file` or an inline `jwks`, exactly one of them.
    private static func keySet(_ section: ConfigurationSection, file: (String) -> String) throws -> JWKS {
        switch (try section.string("jwks_file"), try section.json("jwks")) {
        case (let name?, nil): return try JWKS.read(file: file(name))
        case (nil, let data?): return try JWKS.decoded(from: data, source: section.place("jwks"))
        case (nil, nil): throw AuthorizationError(.invalidConfiguration, "\(section.path) needs jwks_file or jwks")
        case (_?, _?): throw AuthorizationError(.invalidConfiguration, "\(section.path) gives both jwks_file and jwks")
        }
    }

    /// A key set URL: https, or http to this machine (a development identity provider).
    private static func keySetURL(_ text: String, place: String) throws -> URL {
        guard let url = URL(string: text), let host = url.host else {
            throw AuthorizationError(.invalidConfiguration, "\(place) '\(text)' is not a URL")
        }
        let local = ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host)
        guard url.scheme == "https" || (url.scheme == "http" && local) else {
            throw AuthorizationError(.invalidConfiguration, "\(place) must use https (http only to localhost)")
        }
        return url
    }
}
