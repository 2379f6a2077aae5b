import ArgumentParser
import CareBridgeServer
import Foundation
import HL7v2
import Logging
import PostgresNIO
import Store

/// `carebridge ingest FILE...`: stores and applies HL7v2 messages from files (single messages, batches with
/// FHS/BHS, or streams of messages), through the same pipeline and inbound log as MLLP and HTTP.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "Ingest HL7v2 message files (single messages or batches) into the hub's database.")

    @OptionGroup var options: HubOptions

    @Argument(help: "Files of HL7v2 messages (ER7).")
    var files: [String]

    @Option(help: "Print progress every this many messages.")
    var progressEvery = 100

    func run() async throws {
        let configuration = try options.configuration()
        var logger = Logger(label: "carebridge.ingest")
        logger.logLevel = .warning
        let database = try HubDatabase.open(configuration, logger: logger)
        let counts: [InboundStatus: Int]
        do {
            let pipeline = try makeIngestPipeline(configuration: configuration, client: database.client, logger: logger)
            let client = database.client
            counts = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                try await Migrator(client: client, logger: logger).migrate()
                try await pipeline.loadSubscriptions()
                let counts = try await ingest(with: pipeline)
                await pipeline.flushAudit()
                return counts
            }
        } catch {
            try? database.close()
            throw error
        }
        try database.close()
        let summary = InboundStatus.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        print("Done: \(summary).")
        if (counts[.error] ?? 0) > 0 { throw ExitCode(2) }
    }

    private func ingest(with pipeline: IngestPipeline) async throws -> [InboundStatus: Int] {
        var counts: [InboundStatus: Int] = [:]
        var done = 0
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            let before = done
            let outcomes = await pipeline.ingest(sequence: IngestPipeline.messages(in: Array(data)), source: .cli, peer: file) {
                let reached = before + $0
                if reached / max(progressEvery, 1) > done / max(progressEvery, 1) { print("\(reached) messages") }
                done = reached
            }
            for outcome in outcomes {
                counts[outcome.status, default: 0] += 1
                if let error = outcome.error { print("\(file): message \(outcome.logID.map(String.init) ?? "?"): \(error)") }
            }
        }
        return counts
    }
}
