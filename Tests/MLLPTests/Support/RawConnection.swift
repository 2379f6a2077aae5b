import NIOCore
import NIOPosix

/// A TCP connection that writes exactly the bytes a test gives it, to check how the listener frames them.
final class RawConnection {
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let channel: any Channel
    /// Bytes read and not yet taken as frames.
    private(set) var pending: [UInt8] = []
    private(set) var closedByPeer = false

    private init(
        inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        channel: any Channel
    ) {
        self.inbound = inbound
        self.outbound = outbound
        self.channel = channel
    }

    /// Connects to the listener on loopback and runs `body` with the connection, closing it afterwards.
    static func with<T>(port: Int, _ body: (RawConnection) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(isOutboundHalfClosureEnabled: true)
                    )
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            let connection = RawConnection(inbound: inbound.makeAsyncIterator(), outbound: outbound, channel: channel.channel)
            return try await body(connection)
        }
    }

    /// Writes `bytes` in one write.
    func write(_ bytes: [UInt8]) async throws {
        try await self.outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Writes `bytes` one byte per write, pausing between them so each tends to arrive in its own read.
    func writeByteByByte(_ bytes: [UInt8]) async throws {
        for byte in bytes {
            try await self.outbound.write(ByteBuffer(bytes: [byte]))
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Closes the sending side only (the peer sees end of input).
    func finishWriting() {
        self.outbound.finish()
    }

    /// Reads until `count` complete frames have arrived and returns their contents; fewer if the peer closes.
    func readFrames(_ count: Int) async throws -> [[UInt8]] {
        var frames: [[UInt8]] = []
        while frames.count < count {
            if let frame = self.takeFrame() {
                frames.append(frame)
                continue
            }
            guard try await self.readMore() else { break }
        }
        return frames
    }

    /// Reads until the peer closes; returns the complete frames read on the way.
    func readUntilClosed() async throws -> [[UInt8]] {
        var frames: [[UInt8]] = []
        while true {
            if let frame = self.takeFrame() {
                frames.append(frame)
                continue
            }
            guard try await self.readMore() else { return frames }
        }
    }

    private func readMore() async throws -> Bool {
        guard !self.closedByPeer else { return false }
        do {
            guard let buffer = try await self.inbound.next() else {
                self.closedByPeer = true
                return false
            }
            self.pending += Array(buffer.readableBytesView)
            return true
        } catch {
            self.closedByPeer = true  // a reset counts as closed
            return false
        }
    }

    /// Where to resume looking for the end byte of a frame that has not fully arrived (large replies).
    private var searchFrom = 0

    private func takeFrame() -> [UInt8]? {
        guard let start = self.pending.firstIndex(of: 0x0B) else { return nil }
        let from = max(start + 1, self.searchFrom)
        guard let end = self.pending[from...].firstIndex(of: 0x1C) else {
            self.searchFrom = self.pending.count
            return nil
        }
        guard end + 1 < self.pending.count, self.pending[end + 1] == 0x0D else {
            self.searchFrom = end
            return nil
        }
        let frame = Array(self.pending[(start + 1)..<end])
        self.pending.removeSubrange(..<(end + 2))
        self.searchFrom = 0
        return frame
    }
}
