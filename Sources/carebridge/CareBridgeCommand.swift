import ArgumentParser
import CareBridgeServer

@main
struct CareBridgeCommand: AsyncParsableCommand {
    func run() async throws {}
}
