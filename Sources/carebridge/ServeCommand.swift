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
        switch (configuration.securityConfigurationFile, configuration.insecureDevelopment) {
        case (nil, false):
            throw ValidationError(
                "Authorization is not configured. Give --auth-config FILE (or CAREBRIDGE_AUTH_CONFIG), or run with "
                    + "--insecure-dev (or CAREBRIDGE_INSECURE_DEV=1) to serve without authorization on a development machine."
            )
        case (_?, true):
            throw ValidationError("--insecure-dev and --auth-config (CAREBRIDGE_AUTH_CONFIG) exclude each other: choose one.")
        case (nil, true):
            logger.warning("INSECURE DEVELOPMENT MODE: no authorization; anyone who can reach this port can read and write everything")
        case (let file?, false):
            logger.notice("Authorization from \(file)")
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
