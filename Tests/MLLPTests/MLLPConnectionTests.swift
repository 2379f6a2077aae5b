import MLLP
import NIOConcurrencyHelpers
import Testing

@Suite("MLLP: connections over loopback", .timeLimit(.minutes(2)))
struct MLLPConnectionTests {
    @Test("one message at a time per connection, even when the sender pipelines")
    func oneAtATime() async throws {
        let handler = EchoHandler(delay: .milliseconds(20))
        try await ListenerHarness.with(handler: handler) { harness in
            try await RawConnection.with(port: harness.port) { connection in
                let messages = (1...5).map { "m\($0)".bytes }
                try await connection.write(messages.flatMap(\.framed))
                #expect(try await connection.readFrames(5) == messages.map { "ACK:".bytes + $0 })
            }
        }
        #expect(handler.mostRunning == 1)
        #expect(handler.messages == (1...5).map { "m\($0)".bytes })
    }

    @Test("the next frame is handed over only after the previous reply has been written to the socket")
    func nextFrameAfterReplyWritten() async throws {
        // The first reply is far larger than loopback socket buffers: while the sender does not read, it
        // cannot be written, so the second message must not start.
        let handler = SizedReplyHandler(firstReplySize: 32 * 1024 * 1024)
        try await ListenerHarness.with(handler: handler) { harness in
            try await RawConnection.with(port: harness.port) { connection in
                try await connection.write("first".bytes.framed + "second".bytes.framed)
                for _ in 0..<600 where handler.handled.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
                try await Task.sleep(for: .milliseconds(500))
                #expect(handler.handled == ["first"])
                let frames = try await connection.readFrames(2)
                #expect(frames.count == 2)
                #expect(frames.first?.count == 32 * 1024 * 1024)
                #expect(frames.last == "second".bytes)
            }
        }
        #expect(handler.handled == ["first", "second"])
    }

    @Test("50 connections x 20 messages: every reply answers its own request")
    func manyConnections() async throws {
        let handler = EchoHandler()
        try await ListenerHarness.with(handler: handler) { harness in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in 0..<50 {
                    group.addTask {
                        let connection = try await MLLPClient.connect(host: "127.0.0.1", port: harness.port)
                        for message in 0..<20 {
                            let request = "MSH|^~\\&|C\(client)|||||||M\(message)"
                            #expect(try await connection.send(request) == "ACK:" + request)
                        }
                        try await connection.close()
                    }
                }
                try await group.waitForAll()
            }
        }
        #expect(handler.messages.count == 1000)
    }

    @Test("a connection silent for the idle timeout is closed; a slow handler does not count as silence")
    func idleTimeout() async throws {
        // Three seconds of idle time leave room for a loaded machine between connecting and the server reading
        // the message (full test runs on two cores have taken over two seconds there).
        let handler = EchoHandler(delay: .milliseconds(5000))
        let configuration = ListenerHarness.configuration(idleTimeout: .seconds(3))
        try await ListenerHarness.with(configuration, handler: handler) { harness in
            try await RawConnection.with(port: harness.port) { connection in
                try await connection.write("slow".bytes.framed)
                let clock = ContinuousClock()
                let start = clock.now
                #expect(try await connection.readUntilClosed() == ["ACK:slow".bytes])
                #expect(clock.now - start >= .milliseconds(5000))
            }
            try await harness.waitForConnections(atMost: 0)
        }
    }

    @Test("connections beyond the limit are closed at once; a freed place is available again")
    func connectionLimit() async throws {
        let handler = EchoHandler()
        let configuration = ListenerHarness.configuration(maximumConnections: 2)
        try await ListenerHarness.with(configuration, handler: handler) { harness in
            let first = try await MLLPClient.connect(host: "127.0.0.1", port: harness.port)
            let second = try await MLLPClient.connect(host: "127.0.0.1", port: harness.port)
            #expect(try await first.send("a") == "ACK:a")
            #expect(try await second.send("b") == "ACK:b")
            try await RawConnection.with(port: harness.port) { connection in
                try? await connection.write("refused".bytes.framed)  // may fail: the listener closes at once
                let frames = try await connection.readUntilClosed()
                #expect(frames.isEmpty)
            }
            try await first.close()
            try await harness.waitForConnections(atMost: 1)
            let third = try await MLLPClient.connect(host: "127.0.0.1", port: harness.port)
            #expect(try await third.send("c") == "ACK:c")
            #expect(try await second.send("d") == "ACK:d")
            try await third.close()
            try await second.close()
        }
        #expect(handler.messages == ["a", "b", "c", "d"].map(\.bytes))
    }

    @Test("only allowed sources may connect")
    func allowedSources() async throws {
        let handler = EchoHandler()
        let elsewhere = ListenerHarness.configuration(allowedSources: [try MLLPAddressRange("10.0.0.0/8")])
        try await ListenerHarness.with(elsewhere, handler: handler) { harness in
            let client = try await MLLPClient.connect(host: "127.0.0.1", port: harness.port)
            await #expect(throws: MLLPError.self) { try await client.send("refused") }
            try await client.close()
        }
        let loopback = ListenerHarness.configuration(allowedSources: [try MLLPAddressRange("127.0.0.0/8")])
        try await ListenerHarness.with(loopback, handler: handler) { harness in
            let client = try await MLLPClient.connect(host: "127.0.0.1", port: harness.port)
            #expect(try await client.send("allowed") == "ACK:allowed")
            try await client.close()
        }
        #expect(handler.messages == ["allowed".bytes])
    }
}

/// Answers the first message with `firstReplySize` bytes and later ones with the message itself, recording
/// when each handling starts.
final class SizedReplyHandler: MLLPMessageHandler {
    let firstReplySize: Int
    private let started = NIOLockedValueBox<[String]>([])

    init(firstReplySize: Int) {
        self.firstReplySize = firstReplySize
    }

    var handled: [String] { self.started.withLockedValue { $0 } }

    func handle(message: [UInt8], from peer: MLLPPeer) async -> [UInt8] {
        let isFirst = self.started.withLockedValue {
            $0.append(String(decoding: message, as: UTF8.self))
            return $0.count == 1
        }
        return isFirst ? Array(repeating: UInt8(ascii: "r"), count: self.firstReplySize) : message
    }
}
