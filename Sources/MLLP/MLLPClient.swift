import NIOCore
import NIOPosix

/// An MLLP sender: frames messages, sends them on one TCP connection and returns each reply (the ACK).
///
/// For tests, end-to-end checks and benchmarks. Replies are matched to requests in order, so several tasks may
/// send on one client (the messages are pipelined; an MLLP listener answers them in order).
public final class MLLPClient: Sendable {
    private let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Connects to an MLLP listener.
    public static func connect(
        host: String,
        port: Int,
        maximumReplySize: Int = 16 * 1024 * 1024,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> MLLPClient {
        let channel = try await ClientBootstrap(group: eventLoopGroup)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(MLLPFrameDecoder(maximumFrameSize: maximumReplySize)))
                    try channel.pipeline.syncOperations.addHandler(MLLPClientHandler())
                }
            }
            .connect(host: host, port: port)
            .get()
        return MLLPClient(channel: channel)
    }

    /// Sends one message (unframed) and returns the reply (unframed).
    ///
    /// Throws ``MLLPError`` with code `connectionClosed` when the connection closes first, or
    /// `responseTimeout` after `timeout` (the connection is then closed: a late reply could not be matched).
    public func send(_ message: [UInt8], timeout: Duration = .seconds(30)) async throws -> [UInt8] {
        let promise = self.channel.eventLoop.makePromise(of: [UInt8].self)
        let written = self.channel.eventLoop.makePromise(of: Void.self)
        self.channel.writeAndFlush(MLLPClientRequest(message: message, reply: promise), promise: written)
        written.futureResult.whenFailure { _ in  // a closed channel's pipeline no longer reaches the handler
            promise.fail(MLLPError(.connectionClosed, "the MLLP connection is closed"))
        }
        let channel = self.channel
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            channel.pipeline.fireUserInboundEventTriggered(MLLPClientTimeout())
        }
        defer { timer.cancel() }
        return try await promise.futureResult.get()
    }

    /// Sends a message given as text (UTF-8) and returns the reply as text.
    public func send(_ message: String, timeout: Duration = .seconds(30)) async throws -> String {
        String(decoding: try await self.send(Array(message.utf8), timeout: timeout), as: UTF8.self)
    }

    /// Closes the connection; replies still awaited fail with `connectionClosed`.
    public func close() async throws {
        do {
            try await self.channel.close()
        } catch ChannelError.alreadyClosed {
            return
        }
    }
}

/// One message to send and where its reply goes.
struct MLLPClientRequest: Sendable {
    var message: [UInt8]
    var reply: EventLoopPromise<[UInt8]>
}

/// Fired into the pipeline when the oldest request has waited too long.
struct MLLPClientTimeout: Sendable {}

/// Frames requests and completes their promises with the replies, in order.
final class MLLPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = MLLPInboundFrame
    typealias OutboundIn = MLLPClientRequest
    typealias OutboundOut = ByteBuffer

    private var awaiting = CircularBuffer<EventLoopPromise<[UInt8]>>()
    private var closed = false

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = Self.unwrapOutboundIn(data)
        guard !self.closed else {
            request.reply.fail(MLLPError(.connectionClosed, "the MLLP connection is closed"))
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        self.awaiting.append(request.reply)
        context.write(Self.wrapOutboundOut(MLLPFraming.frame(request.message, allocator: context.channel.allocator)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch Self.unwrapInboundIn(data) {
        case .message(let reply):
            if let promise = self.awaiting.popFirst() {
                promise.succeed(reply)
            }
        case .refused(let error, _):
            self.failAll(error)
            context.close(promise: nil)
        case .truncated:
            break  // the connection is closing; channelInactive fails what is awaited
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is MLLPClientTimeout else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        self.failAll(MLLPError(.responseTimeout, "no MLLP reply in time"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.failAll(MLLPError(.connectionClosed, "the MLLP connection closed before the reply"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.failAll(MLLPError(.connectionClosed, "the MLLP connection failed: \(error)"))
        context.close(promise: nil)
    }

    private func failAll(_ error: MLLPError) {
        self.closed = true
        while let promise = self.awaiting.popFirst() {
            promise.fail(error)
        }
    }
}
