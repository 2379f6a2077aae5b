import ArgumentParser

/// The `carebridge` command line.
@main
struct CareBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carebridge",
        abstract: "CareBridge: a FHIR R4 server and HL7v2 interface engine in one binary.",
        subcommands: [ServeCommand.self, MigrateCommand.self, ReindexCommand.self, IngestCommand.self, ConvertCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
