import ArgumentParser
import CareBridgeServer
import Logging

/// `carebridge migrate`: applies pending schema migrations and exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply database schema migrations.")

    @OptionGroup var options: HubOptions

    func run() async throws {
        let configuration = try options.configuration()
        let logger = Logger(label: "carebridge.migrate")
        let database = try HubDatabase.open(configuration, logger: logger)
        let applied: [Int]
        do {
            applied = try await database.migrate(logger: logger)
        } catch {
            try? database.close()
            throw error
        }
        try database.close()
        print(applied.isEmpty ? "The schema is up to date." : "Applied migrations: \(applied.map(String.init).joined(separator: ", "))")
    }
}
