import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The MLLP server: accepts HL7 v2 senders on a TCP port and hands each framed message to an
/// ``MLLPMessageHandler``, writing back the reply it returns.
///
/// A ServiceLifecycle `Service`: ``run()`` listens until the task is cancelled or a graceful shutdown is
/// triggered. On graceful shutdown it stops accepting, lets each connection finish the message it is handling
/// and send its reply, closes every connection, and returns once all are closed. Each connection has its own
/// channel and Swift task (as in NIO's TCP echo server); an error on one connection never stops the others.
public final class MLLPListener: Service, Sendable {
    typealias Connection = NIOAsyncChannel<MLLPInboundFrame, MLLPReply>

    /// The configuration it was made with.
    public let configuration: MLLPConfiguration
    private let handler: any MLLPMessageHandler
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger
    private let registry: MLLPConnectionRegistry
    private let port = MLLPBoundPort()

    /// Makes a listener; nothing is bound until ``run()``.
    public init(
        configuration: MLLPConfiguration,
        handler: any MLLPMessageHandler,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.handler = handler
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.registry = MLLPConnectionRegistry(maximumConnections: configuration.maximumConnections)
    }

    /// The port actually bound (useful with port 0): waits until ``run()`` has bound it; `nil` if binding failed
    /// or the listener has stopped.
    public var boundPort: Int? {
        get async { await self.port.value }
    }

    /// Number of connections open now.
    public var connectionCount: Int { self.registry.count }

    /// Listens until cancelled or gracefully shut down (see the type's description).
    public func run() async throws {
        let server: NIOAsyncChannel<Connection, Never>
        do {
            server = try await ServerBootstrap(group: self.eventLoopGroup)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .bind(host: self.configuration.host, port: self.configuration.port) { channel in
                    self.makeConnection(channel)
                }
        } catch {
            self.port.end()
            throw error
        }
        defer { self.port.end() }
        let boundPort = server.channel.localAddress?.port
        self.port.bind(boundPort)
        self.logger.info(
            "MLLP listener started",
            metadata: ["mllp.host": "\(self.configuration.host)", "mllp.port": "\(boundPort.map(String.init) ?? "?")"]
        )

        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                do {
                    try await server.executeThenClose { connections in
                        for try await connection in connections {
                            group.addTask { await self.serve(connection) }
                        }
                    }
                } catch is CancellationError {
                    self.logger.debug("MLLP listener cancelled")
                } catch {
                    self.logger.error("MLLP listener stopped accepting", metadata: ["error": "\(error)"])
                }
                self.registry.drain()  // when accepting ended for another reason than a graceful shutdown
            }
        } onGracefulShutdown: {
            self.logger.info("MLLP listener shutting down: finishing the messages in flight")
            server.channel.close(promise: nil)
            self.registry.drain()
        }
        self.logger.info("MLLP listener stopped")
    }

    /// Sets up an accepted connection on its event loop, or closes it when it is not allowed.
    private func makeConnection(_ channel: any Channel) -> EventLoopFuture<Connection> {
        channel.eventLoop.makeCompletedFuture {
            let peer = MLLPPeer(channel.remoteAddress)
            if let allowed = self.configuration.allowedSources, !allowed.contains(where: { $0.contains(peer.address) }) {
                self.logger.warning("MLLP connection refused: source not allowed", metadata: ["mllp.peer": "\(peer)"])
                return try self.refuse(channel, "source \(peer.address) not allowed")
            }
            switch self.registry.admit(channel) {
            case .admitted:
                break
            case .full:
                self.logger.warning(
                    "MLLP connection refused: connection limit reached",
                    metadata: ["mllp.peer": "\(peer)", "mllp.max_connections": "\(self.configuration.maximumConnections)"]
                )
                return try self.refuse(channel, "connection limit reached")
            case .draining:
                return try self.refuse(channel, "shutting down")
            }
            var logger = self.logger
            logger[metadataKey: "mllp.peer"] = "\(peer)"
            let decoder = MLLPFrameDecoder(maximumFrameSize: self.configuration.maximumFrameSize)
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(decoder))
            try channel.pipeline.syncOperations.addHandler(
                MLLPConnectionHandler(idleTimeout: TimeAmount(self.configuration.idleTimeout), logger: logger)
            )
            logger.debug("MLLP connection accepted")
            return try Connection(wrappingChannelSynchronously: channel)
        }
    }

    private func refuse(_ channel: any Channel, _ reason: String) throws -> Connection {
        channel.close(promise: nil)
        throw MLLPError(.connectionClosed, "connection refused: \(reason)")
    }

    /// Runs one connection: each frame to the handler, each reply back, until the connection closes.
    private func serve(_ connection: Connection) async {
        let peer = MLLPPeer(connection.channel.remoteAddress)
        do {
            try await connection.executeThenClose { frames, replies in
                for try await frame in frames {
                    switch frame {
                    case .message(let message):
                        let reply = await self.handler.handle(message: message, from: peer)
                        try await replies.write(MLLPReply(bytes: reply))
                    case .refused(let reason, let partial):
                        self.logger.warning(
                            "MLLP frame refused; closing the connection",
                            metadata: ["mllp.peer": "\(peer)", "mllp.reason": "\(reason)"]
                        )
                        let reply = await self.handler.rejection(reason, partialMessage: partial, from: peer)
                        try await replies.write(MLLPReply(bytes: reply))
                    case .truncated:
                        break  // kept back by MLLPConnectionHandler
                    }
                }
            }
        } catch {
            self.logger.debug("MLLP connection ended with an error", metadata: ["mllp.peer": "\(peer)", "error": "\(error)"])
        }
    }
}

/// The listener's bound port, awaited by ``MLLPListener/boundPort``.
final class MLLPBoundPort: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Int?, Never>])
        case bound(Int?)
        case ended
    }

    private let state = NIOLockedValueBox(State.waiting([]))

    var value: Int? {
        get async {
            await withCheckedContinuation { continuation in
                let known: Int?? = self.state.withLockedValue { state in
                    switch state {
                    case .waiting(let waiters):
                        state = .waiting(waiters + [continuation])
                        return .none
                    case .bound(let port): return .some(port)
                    case .ended: return .some(nil)
                    }
                }
                if let known { continuation.resume(returning: known) }
            }
        }
    }

    func bind(_ port: Int?) { self.settle(.bound(port), returning: port) }
    func end() { self.settle(.ended, returning: nil) }

    private func settle(_ new: State, returning port: Int?) {
        let waiters = self.state.withLockedValue { state -> [CheckedContinuation<Int?, Never>] in
            guard case .waiting(let waiters) = state else {
                state = new
                return []
            }
            state = new
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }
}
