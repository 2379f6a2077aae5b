import MLLP
import Testing

@Suite("MLLP: framing over loopback", .timeLimit(.minutes(1)))
struct MLLPFramingTests {
    let adt = "MSH|^~\\&|LAB|HOSP|CB|CB|20260101120000||ADT^A08|MSG0001|P|2.5\rPID|1||12345^^^HOSP^MR\r".bytes

    @Test("a frame split byte by byte is read as one message")
    func byteByByte() async throws {
        let handler = EchoHandler()
        try await ListenerHarness.with(handler: handler) { harness in
            try await RawConnection.with(port: harness.port) { connection in
                try await connection.writeByteByByte(self.adt.framed)
                #expect(try await connection.readFrames(1) == ["ACK:".bytes + self.adt])
            }
        }
        #expect(handler.messages == [self.adt])
    }

    @Test("two frames in one write are two messages, answered in order")
    func twoInOneWrite() async throws {
        let handler = EchoHandler()
        try await ListenerHarness.with(handler: handler) { harness in
            try await RawConnection.with(port: harness.port) { connection in
                try await connection.write("one".bytes.framed + "two".bytes.framed)
                #expect(try await connection.readFrames(2) == ["ACK:one".bytes, "ACK:two".bytes])
            }
        }
    }

    @Test("bytes outside frames (junk before the start byte, CR/LF between frames) are dropped")
    func junkBetweenFrames() async throws {
        let handler = EchoHandler()
        try await ListenerHarness.with(handler: handler) { harness in
            try await RawConnection.with(port: harness.port) { connection in
                try await connection.write("\r\nnoise".bytes + "one".bytes.framed + "\r\n\n".bytes + "two".bytes.framed)
                #expect(try await connection.readFrames(2) == ["ACK:one".bytes, "ACK:two".bytes])
            }
        }
        #expect(handler.messages == ["one".bytes, "two".bytes])
    }

    @Test("an empty message is handed over as empty")
    func emptyMessage() async throws {
        let handler = EchoHandler()
        try await ListenerHarness.with(handler: handler) { harness in
            try await RawConnection.with(port: harness.port) { connection in
                try await connection.write([0x0B, 0x1C, 0x0D])
                #expect(try await connection.readFrames(1) == ["ACK:".bytes])
            }
        }
        #expect(handler.messages == [[]])
    }

    @Test("a frame without its end is never handled; the connection closes when the sender stops")
    func missingEnd() async throws {
        let handler = EchoHandler()
        try await ListenerHarness.with(handler: handler) { harness in
            try await RawConnection.with(port: harness.port) { connection in
                try await connection.write("done".bytes.framed + [0x0B] + self.adt)
                connection.finishWriting()
                #expect(try await connection.readUntilClosed() == ["ACK:done".bytes])
            }
        }
        #expect(handler.messages == ["done".bytes])
        #expect(handler.rejections.isEmpty)
    }

    @Test("the frames a sender wrote before closing its side are all answered")
    func halfClosedSender() async throws {
        let handler = EchoHandler(delay: .milliseconds(50))
        try await ListenerHarness.with(handler: handler) { harness in
            try await RawConnection.with(port: harness.port) { connection in
                try await connection.write("one".bytes.framed + "two".bytes.framed)
                connection.finishWriting()
                #expect(try await connection.readUntilClosed() == ["ACK:one".bytes, "ACK:two".bytes])
            }
        }
    }

    @Test("a frame growing past the cap gets the rejection reply, then the connection closes")
    func oversizeWithoutEnd() async throws {
        let handler = EchoHandler()
        let configuration = ListenerHarness.configuration(maximumFrameSize: 1024)
        let big = self.adt + Array(repeating: UInt8(ascii: "x"), count: 4_000_000)  // more than socket buffers hold
        try await ListenerHarness.with(configuration, handler: handler) { harness in
            try await RawConnection.with(port: harness.port) { connection in
                try await connection.write("small".bytes.framed + [0x0B] + big)
                let frames = try await connection.readUntilClosed()
                try #require(frames.count == 2)
                #expect(frames[0] == "ACK:small".bytes)
                #expect(frames[1].starts(with: "AR:frameTooLarge:".bytes + self.adt))
            }
        }
        let rejection = try #require(handler.rejections.first)
        #expect(rejection.0.code == .frameTooLarge)
        #expect(rejection.1.starts(with: self.adt))
        #expect(rejection.1.count <= 64 * 1024)
        #expect(handler.messages == ["small".bytes])
    }

    @Test("a complete frame over the cap is refused; one exactly at the cap is accepted")
    func capBoundary() async throws {
        let handler = EchoHandler()
        let configuration = ListenerHarness.configuration(maximumFrameSize: 1024)
        let atCap = Array(repeating: UInt8(ascii: "a"), count: 1024)
        try await ListenerHarness.with(configuration, handler: handler) { harness in
            try await RawConnection.with(port: harness.port) { connection in
                try await connection.write(atCap.framed + (atCap + [0x61]).framed + "after".bytes.framed)
                let frames = try await connection.readUntilClosed()
                #expect(frames.count == 2)
                #expect(frames.first == "ACK:".bytes + atCap)
                #expect(frames.last?.starts(with: "AR:frameTooLarge:".bytes) == true)
            }
        }
        #expect(handler.messages == [atCap])  // "after" came after the refused frame: never read
    }

    @Test("a start byte inside a frame, or an end byte without CR, is refused and the connection closed",
          arguments: [
            ("MSH|one".bytes + [0x0B] + "MSH|two".bytes.framed, "startByteInsideFrame"),
            ("MSH|one".bytes + [0x1C, 0x0A], "malformedFrameEnd"),
          ])
    func malformed(bytes: [UInt8], code: String) async throws {
        let handler = EchoHandler()
        try await ListenerHarness.with(handler: handler) { harness in
            try await RawConnection.with(port: harness.port) { connection in
                try await connection.write([0x0B] + bytes)
                let frames = try await connection.readUntilClosed()
                #expect(frames == ["AR:\(code):MSH|one".bytes])
            }
        }
        #expect(handler.messages.isEmpty)
    }

    @Test("a rejection without reply bytes just closes the connection")
    func rejectionWithoutReply() async throws {
        struct Silent: MLLPMessageHandler {
            func handle(message: [UInt8], from peer: MLLPPeer) async -> [UInt8] { message }
        }
        let configuration = ListenerHarness.configuration(maximumFrameSize: 16)
        try await ListenerHarness.with(configuration, handler: Silent()) { harness in
            try await RawConnection.with(port: harness.port) { connection in
                try await connection.write(Array(repeating: UInt8(ascii: "z"), count: 40).framed)
                #expect(try await connection.readUntilClosed().isEmpty)
            }
        }
    }
}
