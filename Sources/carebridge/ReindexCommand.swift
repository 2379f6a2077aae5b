import ArgumentParser
import CareBridgeServer
import Logging
import PostgresNIO
import Store

/// `carebridge reindex`: rebuilds the search index of every current resource, and the search terms of every
/// AuditEvent, from the stored bodies, e.g. after a change to `profiles/searchparameters.json`.
struct ReindexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reindex", abstract: "Rebuild the search index of every resource from the stored bodies.")

    @OptionGroup var options: HubOptions

    @Option(help: "Resources per transaction.")
    var batchSize = 500

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive") }
    }

    func run() async throws {
        let configuration = try options.configuration()
        let logger = Logger(label: "carebridge.reindex")
        let database = try HubDatabase.open(configuration, logger: logger)
        do {
            let store = try ResourceStore(client: database.client, registry: loadRegistry(configuration), logger: logger)
            let client = database.client
            let total = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer { group.cancelAll() }
                try await Migrator(client: client, logger: logger).migrate()
                let resources = try await store.reindex(batchSize: batchSize) { done in print("Reindexed \(done) resources") }
                return (resources, try await store.reindexAuditEvents(batchSize: batchSize))
            }
            print("Reindexed \(total.0) resources and \(total.1) AuditEvents.")
        } catch {
            try? database.close()
            throw error
        }
        try database.close()
    }
}
