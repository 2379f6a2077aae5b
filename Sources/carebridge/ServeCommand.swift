import ArgumentParser
import Foundation
import CareBridgeServer
import Hummingbird
import Logging

/// `carebridge serve`: runs the hub until SIGINT/SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the hub (HTTP FHIR API and MLLP listener).")

    @OptionGroup var options: HubOptions

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error (env LOG_LEVEL).")
    var logLevel: String?

    func run() async throws {
        let configuration = try options.configuration()
        var logger = Logger(label: "carebridge")
        logger.logLevel = Logger.Level(rawValue: logLevel ?? ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info") ?? .info
        // Checked before the embedded database starts, so a misconfigured hub stops at once.
        if let file = try configuration.authorizationFile() {
            logger.notice("Authorization from \(file)")
        } else {
            logger.warning("INSECURE DEVELOPMENT MODE: no authorization; anyone who can reach this port can read and write everything")
        }
        let database = try HubDatabase.open(configuration, logger: logger)
        let app: any ApplicationProtocol
        do {
            app = try buildApplication(configuration: configuration, database: database, logger: logger)
        } catch {
            try? database.close()
            throw error
        }
        logger.notice("FHIR base: http://\(configuration.httpHost):\(configuration.httpPort)/fhir")
        if let port = configuration.mllpPort { logger.notice("MLLP (HL7v2) on \(configuration.httpHost):\(port)") }
        if let file = configuration.paymentGatewaysFile { logger.notice("Payment gateways from \(file) on /payments/webhook/{gateway}") }
        try await app.runService()
    }
}
