import Foundation
import PostgresNIO

/// Where the hub's database is: a `postgres://` URL, or the socket of the embedded cluster.
public struct DatabaseLocation: Sendable {
    /// The connection settings for PostgresNIO.
    public let configuration: PostgresClient.Configuration

    /// A location from a connection URL such as `postgres://user:secret@db.example:5432/carebridge?sslmode=require`.
    public init(url text: String) throws(StoreError) {
        guard let components = URLComponents(string: text),
              components.scheme == "postgres" || components.scheme == "postgresql"
        else {
            throw StoreError(.invalidRequest, "DATABASE_URL must look like postgres://user:password@host:port/database")
        }
        let user = components.percentEncodedUser?.removingPercentEncoding ?? "postgres"
        let password = components.percentEncodedPassword?.removingPercentEncoding
        let database = String(components.path.drop { $0 == "/" })
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, new in new }
        )
        let host = components.host ?? ""
        if host.isEmpty || host.hasPrefix("/") {
            let socketFolder = query["host"] ?? (host.isEmpty ? "/var/run/postgresql" : host)
            configuration = PostgresClient.Configuration(
                unixSocketPath: "\(socketFolder)/.s.PGSQL.\(components.port ?? 5432)",
                username: user, password: password, database: database.isEmpty ? nil : database
            )
            return
        }
        let tls: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? "prefer" {
        case "disable": tls = .disable
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: tls = .prefer(.makeClientConfiguration())
        }
        configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: password,
            database: database.isEmpty ? nil : database, tls: tls
        )
    }

    /// The embedded cluster's socket, database `database`, as its superuser.
    public init(socketPath: String, user: String, database: String) {
        configuration = PostgresClient.Configuration(
            unixSocketPath: socketPath, username: user, password: nil, database: database
        )
    }
}
