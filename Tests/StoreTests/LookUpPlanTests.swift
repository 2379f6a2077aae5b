import Logging
import PostgresNIO
import Store
import Testing

/// The look-up functions keep their plans for the life of a connection, and a hub's first plans are made while its
/// tables are empty and never analysed: a matching resource must still be read by its primary key once the table
/// holds many of its type (migration 19), not found by reading every resource of the type.
@Suite("Look-up plans")
struct LookUpPlanTests {
    /// Patients stored after the look-ups were planned, each about a tenth of a page.
    static let patients = 600

    @Test("a look-up planned while the tables were empty reads the last of many matches as cheaply as the first")
    func plannedWhileEmpty() async throws {
        try await TestDatabase.with { database in
            try await database.client.withConnection { connection in
                // Six runs each, so that the single look-up's plan cache settles on its generic plan as well.
                for _ in 0..<6 {
                    _ = try await Self.sharedBlocks(Self.batchLookUp(code: "0"), on: connection)
                    _ = try await Self.sharedBlocks(Self.singleLookUp(code: "0"), on: connection)
                }
                let family = String(repeating: "Longname", count: 90)
                try await database.store.withTransaction { session in
                    for number in 0..<Self.patients {
                        _ = try await session.create(patient(family: family, identifiers: ["urn:plan|\(number)"]))
                    }
                }
                // A plan that walks every Patient reads the table's pages in order until it meets the match: one page
                // for the first Patient stored, all of them (about 60) for the last.
                let last = String(Self.patients - 1)
                for lookUp in [Self.batchLookUp, Self.singleLookUp] {
                    _ = try await Self.sharedBlocks(lookUp("0"), on: connection)
                    let first = try await Self.sharedBlocks(lookUp("0"), on: connection)
                    let other = try await Self.sharedBlocks(lookUp(last), on: connection)
                    #expect(other - first < 10, "the first patient took \(first) blocks, the last \(other)")
                }
            }
        }
    }

    static func batchLookUp(code: String) -> PostgresQuery {
        """
        SELECT * FROM carebridge_token_matches(
            ARRAY['Patient'], ARRAY['identifier'], ARRAY['urn:plan'], ARRAY[\(code)], ARRAY[NULL]::text[], 2, NULL)
        """
    }

    static func singleLookUp(code: String) -> PostgresQuery {
        "SELECT * FROM carebridge_token_match('Patient', 'identifier', 'urn:plan', \(code), 2, NULL)"
    }

    /// The shared buffers `query` touched when run under `EXPLAIN (ANALYZE, BUFFERS)`: those of its top node, which
    /// include what the function's own statements read.
    static func sharedBlocks(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> Int {
        var explained = query
        explained.sql = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) " + query.sql
        var lines: [String] = []
        for try await line in try await connection.query(explained, logger: TestDatabase.logger).decode(String.self) {
            lines.append(line)
        }
        let buffers = try #require(lines.first(where: { $0.contains("Buffers: shared") }), "no buffers in \(lines)")
        return buffers.split(separator: " ").reduce(0) { total, word in
            let parts = word.split(separator: "=")
            guard parts.count == 2, ["hit", "read"].contains(parts[0]), let count = Int(parts[1]) else { return total }
            return total + count
        }
    }
}
