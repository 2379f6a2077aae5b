import PostgresNIO
import Store
import Testing

/// `disable`, `prefer` or `require`, read from the TLS setting's description (its cases are internal).
private func tlsMode(_ tls: PostgresClient.Configuration.TLS) -> String {
    let text = String(describing: tls)
    return ["disable", "prefer", "require"].first { text.contains($0) } ?? text
}

@Suite("DATABASE_URL parsing")
struct DatabaseLocationTests {
    @Test("a TCP URL gives host, port, user, password and database")
    func tcpURL() throws {
        let configuration = try DatabaseLocation(url: "postgres://hub:s3cret@db.example.org:6543/carebridge").configuration
        #expect(configuration.host == "db.example.org")
        #expect(configuration.port == 6543)
        #expect(configuration.unixSocketPath == nil)
        #expect(configuration.username == "hub")
        #expect(configuration.password == "s3cret")
        #expect(configuration.database == "carebridge")
        #expect(tlsMode(configuration.tls) == "prefer")
    }

    @Test("postgresql:// is accepted, the port defaults to 5432 and the user to postgres")
    func defaults() throws {
        let configuration = try DatabaseLocation(url: "postgresql://db.internal/hub").configuration
        #expect(configuration.host == "db.internal")
        #expect(configuration.port == 5432)
        #expect(configuration.username == "postgres")
        #expect(configuration.password == nil)
        #expect(configuration.database == "hub")
        let noDatabase = try DatabaseLocation(url: "postgres://u@h").configuration
        #expect(noDatabase.database == nil)
        #expect(noDatabase.username == "u")
    }

    @Test("percent-encoded user and password are decoded")
    func percentEncoded() throws {
        let configuration = try DatabaseLocation(url: "postgres://app%40corp:p%40ss%3Aw%2Fd@10.0.0.5/db").configuration
        #expect(configuration.username == "app@corp")
        #expect(configuration.password == "p@ss:w/d")
        #expect(configuration.host == "10.0.0.5")
    }

    @Test(
        "sslmode chooses the TLS behaviour",
        arguments: [
            ("disable", "disable"), ("require", "require"), ("verify-ca", "require"), ("verify-full", "require"),
            ("prefer", "prefer"), ("allow", "prefer"),
        ]
    )
    func sslMode(_ mode: String, _ expected: String) throws {
        let configuration = try DatabaseLocation(url: "postgres://u:p@db:5432/hub?sslmode=\(mode)").configuration
        #expect(tlsMode(configuration.tls) == expected)
        #expect(configuration.database == "hub")
    }

    @Test("socket URLs: a host= query, an encoded path as host, or no host at all")
    func socketURLs() throws {
        let query = try DatabaseLocation(url: "postgres://hub@/carebridge?host=/var/run/pg").configuration
        #expect(query.unixSocketPath == "/var/run/pg/.s.PGSQL.5432")
        #expect(query.host == nil)
        #expect(query.username == "hub")
        #expect(query.database == "carebridge")

        let withPort = try DatabaseLocation(url: "postgresql:///carebridge?host=/tmp/sock&port=5433").configuration
        #expect(withPort.unixSocketPath?.hasPrefix("/tmp/sock/.s.PGSQL.") == true)

        let encoded = try DatabaseLocation(url: "postgres://%2Fvar%2Frun%2Fpostgresql/db").configuration
        #expect(encoded.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5432")
        #expect(encoded.database == "db")

        let bare = try DatabaseLocation(url: "postgres:///hub").configuration
        #expect(bare.unixSocketPath == "/var/run/postgresql/.s.PGSQL.5432")
        #expect(bare.database == "hub")
        #expect(tlsMode(bare.tls) == "disable")
    }

    @Test("the embedded cluster's socket location")
    func embeddedSocket() {
        let configuration = DatabaseLocation(socketPath: "/data/pg/.s.PGSQL.5432", user: "carebridge", database: "hub")
            .configuration
        #expect(configuration.unixSocketPath == "/data/pg/.s.PGSQL.5432")
        #expect(configuration.username == "carebridge")
        #expect(configuration.database == "hub")
    }

    @Test(
        "URLs that are not PostgreSQL URLs are refused with a clear message",
        arguments: [
            "mysql://u:p@db/hub", "http://db.example.org/hub", "db.example.org:5432/hub", "", "not a url at all",
            "postgres//missing-colon", "jdbc:postgresql://db/hub",
        ]
    )
    func refused(_ url: String) {
        #expect {
            try DatabaseLocation(url: url)
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.code == .invalidRequest && error.message.contains("postgres://")
        }
    }
}
