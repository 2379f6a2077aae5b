import CareBridgeServer
import EmbeddedPostgres
import Foundation
import HL7v2
import Logging
import MLLP
import PostgresNIO
import Store
import Testing

/// The MLLP listener over the real ingest pipeline and database: concurrent connections, ACK after commit,
/// re-sent messages not applied twice.
@Suite("HL7v2 ingest over MLLP")
struct MLLPIngestTests {
    @Test("8 connections x 10 ADT messages: every one AA, every patient stored once; re-sending changes nothing")
    func concurrentConnections() async throws {
        let (cluster, name) = try ThrowawayCluster.makeDatabase(prefix: "mllp")
        var configuration = DatabaseLocation(socketPath: cluster.socketPath, user: EmbeddedCluster.superuser, database: name).configuration
        configuration.options.maximumConnections = 20
        var logger = Logger(label: "carebridge.test")
        logger.logLevel = .critical
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let hub = HubConfiguration(
            profilesDirectory: TestPaths.profilesDirectory.path,
            mappingsDirectory: TestPaths.repositoryRoot.appendingPathComponent("mappings").path)
        let pipeline = try makeIngestPipeline(configuration: hub, client: client, logger: logger)
        let listener = MLLPListener(
            configuration: MLLPConfiguration(port: 0), handler: IngestMLLPHandler(pipeline: pipeline), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            try await Migrator(client: client, logger: logger).migrate()
            group.addTask { try await listener.run() }
            let port = try #require(await listener.boundPort)
            let codes = try await withThrowingTaskGroup(of: [String].self) { senders in
                for connection in 0..<8 {
                    senders.addTask {
                        let sender = try await MLLPClient.connect(host: "127.0.0.1", port: port)
                        var codes: [String] = []
                        for number in 0..<10 {
                            let id = "M\(connection)-\(number)"
                            let ack = try HL7Message(parsing: try await sender.send(IngestTests.adt(id, mrn: id, trigger: "A04")))
                            codes.append("\(ack["MSA-1"] ?? "?") \(ack["MSA-2"] ?? "?")")
                        }
                        try await sender.close()
                        return codes
                    }
                }
                return try await senders.reduce(into: []) { $0 += $1 }
            }
            #expect(codes.count == 80 && codes.allSatisfy { $0.hasPrefix("AA M") }, "\(codes.filter { !$0.hasPrefix("AA") })")

            let again = try await MLLPClient.connect(host: "127.0.0.1", port: port)
            let ack = try HL7Message(parsing: try await again.send(IngestTests.adt("M3-3", mrn: "M3-3", trigger: "A04")))
            #expect(ack["MSA-1"] == "AA")
            try await again.close()

            func count(_ sql: String) async throws -> Int {
                for try await value in try await client.query(PostgresQuery(unsafeSQL: sql)).decode(Int.self) { return value }
                return -1
            }
            #expect(try await count("SELECT count(*) FROM resource WHERE resource_type = 'Patient'") == 80)
            #expect(try await count("SELECT count(*) FROM inbound_message WHERE status = 'processed'") == 80)
            #expect(try await count("SELECT count(*) FROM inbound_message WHERE status = 'duplicate'") == 1)
            group.cancelAll()
        }
    }
}
