import CareBridgeServer
import HummingbirdTesting
import PostgresNIO
import Testing

/// Every HTTP response carries the security headers: successes, client errors, server errors and throttling.
@Suite("Security headers")
struct SecurityHeaderTests {
    static let expected = [
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    ]

    static func expectHeaders(_ reply: Reply, https: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) {
        for (name, value) in expected {
            #expect(reply.header(name) == value, "\(name) on a \(reply.status)", sourceLocation: sourceLocation)
        }
        let hsts = reply.header("Strict-Transport-Security")
        #expect((hsts != nil) == https, "HSTS on a \(reply.status): \(hsts ?? "none")", sourceLocation: sourceLocation)
        if https { #expect(hsts?.hasPrefix("max-age=") == true, sourceLocation: sourceLocation) }
        #expect(reply.header("Server") == nil, "Server: \(reply.header("Server") ?? "")", sourceLocation: sourceLocation)
    }

    @Test("successes and client errors")
    func successAndClientErrors() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient())
            let replies = [
                try await hub.get("/health"),
                try await hub.get("/fhir/metadata"),
                try await hub.get("/fhir/Patient/\(id)"),
                try await hub.get("/fhir/Patient?family=Chalmers"),
                try await hub.post("/fhir/Patient", Sample.patient()),
                try await hub.get("/fhir/Patient/unknown"),
                try await hub.get("/fhir/Patient?no-such-parameter=1"),
                try await hub.post("/fhir/Patient", "{"),
                try await hub.delete("/fhir/metadata"),
                try await hub.get("/no/such/route"),
            ]
            #expect(replies.map(\.status) == [200, 200, 200, 200, 201, 404, 400, 400, 405, 404])
            for reply in replies { Self.expectHeaders(reply) }
        }
    }

    @Test("server errors and oversized bodies")
    func serverErrors() async throws {
        try await Hub.run(maximumBodySize: 1024) { hub in
            try await hub.database.query("ALTER TABLE resource RENAME TO resource_elsewhere")
            let failed = try await hub.get("/fhir/Patient?family=Chalmers")
            try failed.expectError(500)
            Self.expectHeaders(failed)
            let tooLarge = try await hub.post("/fhir/Patient", String(repeating: " ", count: 4096) + Sample.patient())
            try tooLarge.expectError(413)
            Self.expectHeaders(tooLarge)
        }
    }

    @Test("throttled answers")
    func throttled() async throws {
        try await Hub.run(configure: { $0.rateLimit = RateLimit(requestsPerSecond: 0.01, burst: 1) }) { hub in
            _ = try await hub.get("/health")
            let reply = try await hub.get("/health")
            #expect(reply.status == 429)
            Self.expectHeaders(reply)
        }
    }

    @Test("Strict-Transport-Security only when the public base URL is https")
    func strictTransportSecurity() async throws {
        try await Hub.run(configure: { $0.publicBaseURL = "https://hub.example.org/fhir" }) { hub in
            Self.expectHeaders(try await hub.get("/fhir/metadata"), https: true)
            Self.expectHeaders(try await hub.get("/fhir/Patient/unknown"), https: true)
        }
    }

    @Test("over a real connection there is no Server header either")
    func live() async throws {
        try await Hub.run(setup: .live) { hub in
            Self.expectHeaders(try await hub.get("/fhir/metadata"))
            Self.expectHeaders(try await hub.get("/fhir/Patient/unknown"))
        }
    }
}
