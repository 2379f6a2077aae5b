import Foundation
import Logging
import MLLP
import NIOConcurrencyHelpers
import ServiceLifecycle
import Testing

/// A handler for the transport tests: answers each message with `ACK:` + the message (so every reply names its
/// request), and a refused frame with `AR:<code>:` + its beginning. It records what it was asked.
final class EchoHandler: MLLPMessageHandler {
    /// Time spent in each `handle` call (a stand-in for a database transaction).
    let delay: Duration
    private let record = NIOLockedValueBox(Record())

    struct Record {
        var messages: [[UInt8]] = []
        var rejections: [(MLLPError, [UInt8])] = []
        var running = 0
        var mostRunning = 0
    }

    init(delay: Duration = .zero) {
        self.delay = delay
    }

    func handle(message: [UInt8], from peer: MLLPPeer) async -> [UInt8] {
        self.record.withLockedValue {
            $0.messages.append(message)
            $0.running += 1
            $0.mostRunning = max($0.mostRunning, $0.running)
        }
        if self.delay > .zero { try? await Task.sleep(for: self.delay) }
        self.record.withLockedValue { $0.running -= 1 }
        return Array("ACK:".utf8) + message
    }

    func rejection(_ reason: MLLPError, partialMessage: [UInt8], from peer: MLLPPeer) async -> [UInt8]? {
        self.record.withLockedValue { $0.rejections.append((reason, partialMessage)) }
        return Array("AR:\(reason.code):".utf8) + partialMessage
    }

    var messages: [[UInt8]] { self.record.withLockedValue { $0.messages } }
    var rejections: [(MLLPError, [UInt8])] { self.record.withLockedValue { $0.rejections } }
    /// The most `handle` calls that ran at the same time.
    var mostRunning: Int { self.record.withLockedValue { $0.mostRunning } }
}

/// A listener on a free loopback port, run in a ServiceGroup as the server runs it.
struct ListenerHarness {
    let listener: MLLPListener
    let port: Int
    let group: ServiceGroup

    /// Quiet unless `MLLP_TEST_LOG` names a level (`debug`, `trace`...), then on standard error.
    static let logger: Logger = {
        let level = ProcessInfo.processInfo.environment["MLLP_TEST_LOG"].flatMap(Logger.Level.init(rawValue:))
        var logger = Logger(label: "MLLPTests") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = level ?? .critical
        return logger
    }()

    /// The configuration the tests start from: loopback, port 0.
    static func configuration(
        maximumFrameSize: Int = 1024 * 1024,
        idleTimeout: Duration = .seconds(60),
        maximumConnections: Int = 256,
        allowedSources: [MLLPAddressRange]? = nil
    ) -> MLLPConfiguration {
        MLLPConfiguration(
            host: "127.0.0.1", port: 0, maximumFrameSize: maximumFrameSize, idleTimeout: idleTimeout,
            maximumConnections: maximumConnections, allowedSources: allowedSources
        )
    }

    /// Runs `body` against a started listener, then shuts the listener down gracefully and waits for it.
    static func with<T>(
        _ configuration: MLLPConfiguration = Self.configuration(),
        handler: any MLLPMessageHandler,
        _ body: (ListenerHarness) async throws -> T
    ) async throws -> T {
        let listener = MLLPListener(configuration: configuration, handler: handler, logger: Self.logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [.init(service: listener)], logger: Self.logger)
        )
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let port = try #require(await listener.boundPort)
                let result = try await body(ListenerHarness(listener: listener, port: port, group: group))
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                tasks.cancelAll()
                throw error
            }
        }
    }

    /// Waits until the listener has at most `count` open connections (closing is seen asynchronously).
    func waitForConnections(atMost count: Int) async throws {
        for _ in 0..<500 where self.listener.connectionCount > count {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(self.listener.connectionCount <= count)
    }
}

extension Array where Element == UInt8 {
    /// `0x0B <self> 0x1C 0x0D`.
    var framed: [UInt8] { [0x0B] + self + [0x1C, 0x0D] }
}

extension String {
    var bytes: [UInt8] { Array(self.utf8) }
}
