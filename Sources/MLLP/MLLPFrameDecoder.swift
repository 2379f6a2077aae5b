import NIOCore

/// What the frame decoder reads off a connection.
enum MLLPInboundFrame: Sendable {
    /// A complete message: the bytes between `0x0B` and `0x1C 0x0D`.
    case message([UInt8])
    /// A frame that cannot be accepted; nothing more is read from the connection after it.
    case refused(MLLPError, partial: [UInt8])
    /// The peer closed its side in the middle of a frame of this many bytes.
    case truncated(byteCount: Int)
}

/// MLLP framing bytes (HL7 v2.5.1 Appendix C, Minimal Lower Layer Protocol).
enum MLLPFraming {
    static let startBlock: UInt8 = 0x0B
    static let endBlock: UInt8 = 0x1C
    static let carriageReturn: UInt8 = 0x0D
    /// How much of a refused frame is kept for the rejection reply: enough for a message header.
    static let partialMessageLimit = 64 * 1024

    /// `0x0B <message> 0x1C 0x0D`.
    static func frame(_ message: [UInt8], allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: message.count + 3)
        buffer.writeInteger(Self.startBlock)
        buffer.writeBytes(message)
        buffer.writeInteger(Self.endBlock)
        buffer.writeInteger(Self.carriageReturn)
        return buffer
    }
}

/// Cuts a byte stream into MLLP frames.
///
/// Bytes outside a frame (stray CR/LF between frames, anything before the first `0x0B`) are dropped. A frame
/// may arrive split across reads, or several in one read. A frame whose content grows past `maximumFrameSize`,
/// a `0x0B` inside a frame, or a `0x1C` not followed by `0x0D` gives one `.refused` frame, after which every
/// byte is dropped: the connection is about to close. Only the current frame is buffered, and the end byte is
/// searched for only in bytes not searched yet, so a large frame arriving in many reads costs linear time.
struct MLLPFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = MLLPInboundFrame

    let maximumFrameSize: Int
    private var insideFrame = false
    /// Bytes of the current frame's content (from the reader index) already searched for the end.
    private var searched = 0
    private var refused = false

    init(maximumFrameSize: Int) {
        self.maximumFrameSize = maximumFrameSize
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = self.nextFrame(from: &buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    mutating func decodeLast(
        context: ChannelHandlerContext,
        buffer: inout ByteBuffer,
        seenEOF: Bool
    ) throws -> DecodingState {
        if let frame = self.nextFrame(from: &buffer) {
            context.fireChannelRead(Self.wrapInboundOut(frame))
            return .continue
        }
        if self.insideFrame && !self.refused {
            self.refused = true
            context.fireChannelRead(Self.wrapInboundOut(.truncated(byteCount: buffer.readableBytes)))
        }
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }

    /// The next frame in `buffer`, consuming it; nil when more bytes are needed.
    mutating func nextFrame(from buffer: inout ByteBuffer) -> MLLPInboundFrame? {
        if self.refused {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return nil
        }
        if !self.insideFrame {
            guard let start = buffer.readableBytesView.firstIndex(of: MLLPFraming.startBlock) else {
                buffer.moveReaderIndex(to: buffer.writerIndex)
                return nil
            }
            buffer.moveReaderIndex(to: start + 1)
            self.insideFrame = true
            self.searched = 0
        }
        let found = buffer.withUnsafeReadableBytes { bytes -> (index: Int, byte: UInt8)? in
            var index = self.searched
            while index < bytes.count {
                let byte = bytes[index]
                if byte == MLLPFraming.endBlock || byte == MLLPFraming.startBlock { return (index, byte) }
                index += 1
            }
            return nil
        }
        guard let (index, byte) = found else {
            self.searched = buffer.readableBytes
            if buffer.readableBytes > self.maximumFrameSize {
                let message = "a frame grew past \(self.maximumFrameSize) bytes"
                return self.refuse(.frameTooLarge, message, keeping: buffer.readableBytes, of: &buffer)
            }
            return nil
        }
        if index > self.maximumFrameSize {
            let message = "a frame of \(index) bytes is over \(self.maximumFrameSize)"
            return self.refuse(.frameTooLarge, message, keeping: index, of: &buffer)
        }
        if byte == MLLPFraming.startBlock {
            let message = "a start byte 0x0B came \(index) bytes into a frame"
            return self.refuse(.startByteInsideFrame, message, keeping: index, of: &buffer)
        }
        guard index + 1 < buffer.readableBytes else {
            self.searched = index  // the end byte's follower has not arrived yet
            return nil
        }
        guard buffer.getInteger(at: buffer.readerIndex + index + 1, as: UInt8.self) == MLLPFraming.carriageReturn else {
            let message = "the end byte 0x1C was not followed by 0x0D"
            return self.refuse(.malformedFrameEnd, message, keeping: index, of: &buffer)
        }
        let message = buffer.readBytes(length: index) ?? []
        buffer.moveReaderIndex(forwardBy: 2)
        self.insideFrame = false
        self.searched = 0
        return .message(message)
    }

    /// Refuses the current frame, keeping the first `length` bytes of its content (at most 64 KiB).
    private mutating func refuse(
        _ code: MLLPError.Code,
        _ message: String,
        keeping length: Int,
        of buffer: inout ByteBuffer
    ) -> MLLPInboundFrame {
        self.refused = true
        let partial = buffer.readBytes(length: min(length, MLLPFraming.partialMessageLimit)) ?? []
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .refused(MLLPError(code, message), partial: partial)
    }
}
