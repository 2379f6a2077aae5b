import MLLP
import NIOConcurrencyHelpers
import ServiceLifecycle
import Testing

@Suite("MLLP: graceful shutdown", .timeLimit(.minutes(1)))
struct MLLPShutdownTests {
    @Test("shutdown finishes the message in flight and sends its reply, closes idle connections, refuses new ones")
    func finishesInFlight() async throws {
        let handler = GatedHandler()
        let listener = MLLPListener(
            configuration: ListenerHarness.configuration(), handler: handler, logger: ListenerHarness.logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [.init(service: listener)], logger: ListenerHarness.logger)
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try #require(await listener.boundPort)
            let busy = try await MLLPClient.connect(host: "127.0.0.1", port: port)
            let idle = try await MLLPClient.connect(host: "127.0.0.1", port: port)
            #expect(try await idle.send("before") == "ACK:before")

            async let reply = busy.send("in flight")
            await handler.waitUntilStarted()
            await group.triggerGracefulShutdown()

            // Stopped accepting, and the idle connection is closed, while the message is still being handled.
            try await Self.waitUntilRefused(port: port)
            for _ in 0..<200 where listener.connectionCount > 1 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(listener.connectionCount == 1)
            await #expect(throws: MLLPError.self) { try await idle.send("too late") }

            handler.release()
            #expect(try await reply == "ACK:in flight")
            await #expect(throws: MLLPError.self) { try await busy.send("after") }
            try await tasks.waitForAll()  // run() returns once every connection is closed
            try await busy.close()
            try await idle.close()
        }
        #expect(await listener.boundPort == nil)
    }

    @Test("cancelling the listener's task closes every connection and returns")
    func cancellation() async throws {
        let listener = MLLPListener(
            configuration: ListenerHarness.configuration(), handler: EchoHandler(), logger: ListenerHarness.logger)
        let running = Task { try await listener.run() }
        let port = try #require(await listener.boundPort)
        let client = try await MLLPClient.connect(host: "127.0.0.1", port: port)
        #expect(try await client.send("hello") == "ACK:hello")
        running.cancel()
        _ = await running.result
        await #expect(throws: MLLPError.self) { try await client.send("after") }
        for _ in 0..<200 where listener.connectionCount > 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(listener.connectionCount == 0)
        try await client.close()
    }

    /// Waits until connecting to `port` fails (the listening socket is closed).
    private static func waitUntilRefused(port: Int) async throws {
        for _ in 0..<200 {
            do {
                let client = try await MLLPClient.connect(host: "127.0.0.1", port: port)
                try await client.close()
            } catch {
                return
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("the listener still accepts connections after shutdown began")
    }
}

/// Holds the message `in flight` until released; answers others at once.
final class GatedHandler: MLLPMessageHandler {
    private let state = NIOLockedValueBox(State())

    private struct State {
        var started = false
        var released = false
    }

    func handle(message: [UInt8], from peer: MLLPPeer) async -> [UInt8] {
        if message == Array("in flight".utf8) {
            self.state.withLockedValue { $0.started = true }
            while !self.state.withLockedValue({ $0.released }) && !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        return Array("ACK:".utf8) + message
    }

    func waitUntilStarted() async {
        while !self.state.withLockedValue({ $0.started }) && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    func release() {
        self.state.withLockedValue { $0.released = true }
    }
}
