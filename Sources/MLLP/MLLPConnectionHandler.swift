import Logging
import NIOCore

/// The reply the connection task writes for the frame it was handed: framed bytes, or nothing (close).
struct MLLPReply: Sendable {
    var bytes: [UInt8]?
}

/// Asks a connection to finish the message it is handling, send its reply, then close (graceful shutdown).
struct MLLPDrainEvent: Sendable {}

/// Keeps one MLLP connection to one message at a time, and decides when it closes.
///
/// Sits between the frame decoder and the `NIOAsyncChannel` handler, on the connection's event loop:
/// - hands the connection task one frame at a time, holding further frames and socket reads until the reply
///   to the current one has been written (back-pressure: the peer's bytes wait in the kernel);
/// - frames each reply `0x0B ... 0x1C 0x0D`;
/// - closes after the reply in flight when draining or when the peer has closed its side, and when the peer
///   has been silent for `idleTimeout` with no message being handled (confirmed once more after the event
///   loop has polled the socket again, so bytes that arrived while the loop was starved are not taken for
///   silence);
/// - after the reply to a refused frame, closes its sending side and keeps reading (and dropping) what the
///   peer still sends, for up to `lingerTime`, then closes: closing at once with unread bytes would reset
///   the connection, and the peer could lose the reply (the lingering close of HTTP servers).
final class MLLPConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = MLLPInboundFrame
    typealias InboundOut = MLLPInboundFrame
    typealias OutboundIn = MLLPReply
    typealias OutboundOut = ByteBuffer

    private enum Handed { case nothing, message, refusal }

    private let idleTimeout: TimeAmount
    private let lingerTime: TimeAmount
    private let logger: Logger
    /// Frames read but not yet handed to the connection task (several can come in one socket read).
    private var waiting = CircularBuffer<MLLPInboundFrame>()
    private var handed = Handed.nothing
    private var readHeld = false
    private var draining = false
    private var inputClosed = false
    private var closing = false
    private var lingering = false
    private var lastActivity = NIODeadline.now()
    private var idleCheck: Scheduled<Void>?
    /// Set when the idle deadline has passed once; the connection closes when it is still idle at the next check.
    private var idleSuspected = false

    init(idleTimeout: TimeAmount, lingerTime: TimeAmount = .seconds(2), logger: Logger) {
        self.idleTimeout = idleTimeout
        self.lingerTime = lingerTime
        self.logger = logger
    }

    // MARK: Inbound

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.startIdleCheck(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.startIdleCheck(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.idleCheck?.cancel()
        self.idleCheck = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.idleCheck?.cancel()
        self.idleCheck = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.lastActivity = .now()
        self.idleSuspected = false
        let frame = Self.unwrapInboundIn(data)
        if case .truncated(let byteCount) = frame {
            self.logger.notice("MLLP peer closed its side in the middle of a frame", metadata: ["mllp.bytes": "\(byteCount)"])
            return
        }
        guard !self.closing, !self.draining else { return }  // never answered: the sender sends it again
        self.waiting.append(frame)
        self.handNextFrame(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.lastActivity = .now()
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .some(ChannelEvent.inputClosed) = event as? ChannelEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // Not forwarded: the connection task would stop reading while frames still wait here.
        self.inputClosed = true
        if (self.handed == .nothing && self.waiting.isEmpty) || self.lingering { self.close(context: context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.logger.debug("MLLP connection error", metadata: ["error": "\(error)"])
        self.close(context: context)
    }

    // MARK: Outbound

    func read(context: ChannelHandlerContext) {
        if self.lingering {
            context.read()
        } else if self.handed != .nothing || !self.waiting.isEmpty || self.closing {
            self.readHeld = true
        } else {
            context.read()
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let reply = Self.unwrapOutboundIn(data)
        guard let bytes = reply.bytes else {
            promise?.succeed(())
            self.replyWritten(context: context)
            return
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        context.write(Self.wrapOutboundOut(MLLPFraming.frame(bytes, allocator: context.channel.allocator)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { result in
            promise?.completeWith(result)
            switch result {
            case .success: self.replyWritten(context: context)
            case .failure: self.close(context: context)
            }
        }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is MLLPDrainEvent else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        self.draining = true
        self.waiting.removeAll()
        if self.handed == .nothing { self.close(context: context) }
        promise?.succeed(())
    }

    // MARK: State

    private func handNextFrame(context: ChannelHandlerContext) {
        guard self.handed == .nothing, !self.closing, let frame = self.waiting.popFirst() else { return }
        if case .refused = frame { self.handed = .refusal } else { self.handed = .message }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        context.fireChannelReadComplete()  // NIOAsyncChannel delivers what it read on read-complete
    }

    private func replyWritten(context: ChannelHandlerContext) {
        let answered = self.handed
        self.handed = .nothing
        self.lastActivity = .now()
        if answered == .refusal {
            self.linger(context: context)
            return
        }
        if self.draining || (self.inputClosed && self.waiting.isEmpty) {
            self.close(context: context)
            return
        }
        self.handNextFrame(context: context)
        if self.handed == .nothing && self.readHeld {
            self.readHeld = false
            context.read()
        }
    }

    private func close(context: ChannelHandlerContext) {
        guard !self.closing else { return }
        self.closing = true
        self.idleCheck?.cancel()
        self.idleCheck = nil
        context.close(promise: nil)
    }

    private func linger(context: ChannelHandlerContext) {
        guard !self.closing, !self.lingering else { return }
        if self.inputClosed || self.draining {
            self.close(context: context)
            return
        }
        self.lingering = true
        self.idleCheck?.cancel()
        self.idleCheck = context.eventLoop.assumeIsolated().scheduleTask(in: self.lingerTime) {
            self.close(context: context)
        }
        context.close(mode: .output).assumeIsolated().whenFailure { _ in self.close(context: context) }
        if self.readHeld {
            self.readHeld = false
            context.read()
        }
    }

    private func startIdleCheck(context: ChannelHandlerContext) {
        guard self.idleCheck == nil, !self.closing else { return }
        self.lastActivity = .now()
        self.scheduleIdleCheck(context: context, at: self.lastActivity + self.idleTimeout)
    }

    private func scheduleIdleCheck(context: ChannelHandlerContext, at deadline: NIODeadline) {
        self.idleCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.checkIdle(context: context)
        }
    }

    private func checkIdle(context: ChannelHandlerContext) {
        guard !self.closing, !self.lingering else { return }
        guard self.handed == .nothing else {
            self.scheduleIdleCheck(context: context, at: .now() + self.idleTimeout)
            return
        }
        let deadline = self.lastActivity + self.idleTimeout
        if deadline > .now() {
            self.idleSuspected = false
            self.scheduleIdleCheck(context: context, at: deadline)
        } else if !self.idleSuspected {
            // The loop may have been starved while the peer's bytes waited in the socket: poll once more first.
            self.idleSuspected = true
            self.scheduleIdleCheck(context: context, at: .now() + Self.idleConfirmation)
        } else {
            self.logger.info("closing an idle MLLP connection", metadata: ["mllp.idle_timeout": "\(self.idleTimeout)"])
            self.close(context: context)
        }
    }

    /// How long after the idle deadline the connection is checked once more before it is closed.
    private static let idleConfirmation = TimeAmount.milliseconds(50)
}
