import CareBridgeServer
import Foundation
import MLLP
import PostgresNIO
import Testing

/// The limits on what one request may ask: page size, Bundle entries, body size, search time; and the MLLP
/// listener's limits as the hub configures them.
@Suite("Request limits")
struct LimitTests {
    @Test("a _count above the maximum page size is reduced to it, and paging still reaches every match")
    func pageSize() async throws {
        try await Hub.run(configure: { $0.limits.maximumPageSize = 3 }) { hub in
            for index in 0..<7 { _ = try await hub.create(Sample.patient(family: "Paged\(index)")) }
            var seen: [String] = []
            var next: String? = "/fhir/Patient?family=paged&_count=100"
            while let uri = next {
                let page = try await hub.get(uri)
                #expect(page.status == 200)
                let ids = try page.json.entries.compactMap { $0.string("resource.id") }
                #expect(ids.count <= 3)
                seen += ids
                next = try page.json.link("next").map { $0.replacingOccurrences(of: Hub.base, with: "/fhir") }
            }
            #expect(Set(seen).count == 7 && seen.count == 7)
        }
    }

    @Test("a Bundle with more entries than allowed is refused whole with 413 too-costly")
    func bundleEntries() async throws {
        try await Hub.run(configure: { $0.limits.maximumBundleEntries = 2 }) { hub in
            let entry = #"{"request":{"method":"POST","url":"Patient"},"resource":\#(Sample.patient())}"#
            try await hub.post("/fhir", Sample.bundle("transaction", [entry, entry, entry])).expectError(413, code: "too-costly")
            try await hub.post("/fhir", Sample.bundle("batch", [entry, entry, entry])).expectError(413, code: "too-costly")
            #expect(try await hub.count("resource") == 0)
            #expect(try await hub.post("/fhir", Sample.bundle("transaction", [entry, entry])).status == 200)
        }
    }

    @Test("a body over the maximum size is refused with 413 too-costly")
    func bodySize() async throws {
        try await Hub.run(maximumBodySize: 512) { hub in
            let padded = String(repeating: " ", count: 600) + Sample.patient()
            try await hub.post("/fhir/Patient", padded).expectError(413, code: "too-costly")
            #expect(try await hub.post("/fhir/Patient", Sample.patient()).status == 201)
        }
    }

    @Test("a search that runs past the search timeout answers 408 too-costly, and the hub keeps serving")
    func searchTimeout() async throws {
        try await Hub.run(configure: { $0.searchTimeout = .milliseconds(200) }) { hub in
            _ = try await hub.create(Sample.patient())
            let logger = Logger(label: "test")
            try await hub.database.withConnection { connection in
                _ = try await connection.query("BEGIN", logger: logger)
                _ = try await connection.query("LOCK TABLE resource IN ACCESS EXCLUSIVE MODE", logger: logger)
                let slow = try await hub.get("/fhir/Patient?family=chalmers")
                try slow.expectError(408, code: "too-costly")
                #expect(!slow.text.contains("statement") && !slow.text.contains("SQL"), "\(slow.text)")
                _ = try await connection.query("ROLLBACK", logger: logger)
            }
            let found = try await hub.get("/fhir/Patient?family=chalmers")
            #expect(found.status == 200)
            #expect(try found.json.entries.count == 1)
        }
    }

    @Test("the MLLP listener gets the configured connection limit, frame size, idle time and allowed sources")
    func mllpLimits() throws {
        var configuration = HubConfiguration(mllpPort: 2575)
        configuration.mllpMaximumConnections = 3
        configuration.mllpMaximumFrameSize = 4096
        configuration.mllpIdleTimeoutSeconds = 30
        configuration.mllpAllowedSources = ["10.0.0.0/8", "192.168.1.7"]
        let mllp = try #require(try configuration.mllpConfiguration())
        #expect(mllp.maximumConnections == 3)
        #expect(mllp.maximumFrameSize == 4096)
        #expect(mllp.idleTimeout == .seconds(30))
        #expect(mllp.allowedSources?.count == 2)
        #expect(mllp.allowedSources?.contains { $0.contains("10.1.2.3") } == true)
        #expect(mllp.allowedSources?.contains { $0.contains("192.168.1.8") } == false)
        #expect(try HubConfiguration().mllpConfiguration()?.port == nil)
        configuration.mllpAllowedSources = ["not an address"]
        #expect(throws: (any Error).self) { try configuration.mllpConfiguration() }
    }
}
