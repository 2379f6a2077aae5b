/// What the listener does with each framed message: the caller of the transport (the ingest pipeline).
///
/// The listener calls it from a Swift task of the connection, never on an event loop, so it may await freely
/// (database transactions included). Calls for one connection never overlap: the next frame of a connection is
/// handed over only after the reply to the previous one has been written to the socket. Calls for different
/// connections run concurrently.
public protocol MLLPMessageHandler: Sendable {
    /// Handles one message (the bytes between `0x0B` and `0x1C 0x0D`, possibly empty) and returns the reply to
    /// send back, unframed (the listener adds `0x0B ... 0x1C 0x0D`).
    func handle(message: [UInt8], from peer: MLLPPeer) async -> [UInt8]

    /// Answers a frame the listener cannot accept (too large or malformed) before it closes the connection.
    ///
    /// - Parameters:
    ///   - reason: why the frame was refused.
    ///   - partialMessage: the beginning of the frame's content as received (at most 64 KiB), enough to read a
    ///     message header for an `AR` acknowledgement.
    ///   - peer: who sent it.
    /// - Returns: the reply to send, unframed, or `nil` to close without a reply.
    func rejection(_ reason: MLLPError, partialMessage: [UInt8], from peer: MLLPPeer) async -> [UInt8]?
}

extension MLLPMessageHandler {
    /// By default a refused frame gets no reply: the connection is closed.
    public func rejection(_ reason: MLLPError, partialMessage: [UInt8], from peer: MLLPPeer) async -> [UInt8]? {
        nil
    }
}
