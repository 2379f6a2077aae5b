/// Why the MLLP transport refused a frame, a connection or a request.
///
/// A struct wrapping a code (as postgres-nio's errors do), so codes can be added without breaking callers. The
/// listener hands it to ``MLLPMessageHandler/rejection(_:partialMessage:from:)``; the client throws it.
public struct MLLPError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case frameTooLarge, startByteInsideFrame, malformedFrameEnd
            case connectionClosed, responseTimeout, invalidAddressRange
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A frame grew past ``MLLPConfiguration/maximumFrameSize`` before its end (`0x1C 0x0D`) arrived.
        public static let frameTooLarge = Code(.frameTooLarge)
        /// A start byte (`0x0B`) arrived inside a frame, before that frame's end.
        public static let startByteInsideFrame = Code(.startByteInsideFrame)
        /// An end byte (`0x1C`) was not followed by a carriage return (`0x0D`).
        public static let malformedFrameEnd = Code(.malformedFrameEnd)
        /// The connection closed before the reply arrived (client side).
        public static let connectionClosed = Code(.connectionClosed)
        /// No reply arrived in time (client side); the connection is closed.
        public static let responseTimeout = Code(.responseTimeout)
        /// An allowed-source entry is neither an IP address nor `address/prefix-length`.
        public static let invalidAddressRange = Code(.invalidAddressRange)

        /// The code's name (`frameTooLarge`...), usable in a rejection text.
        public var description: String { self.base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// A sentence for logs and for the text of a rejection.
    public var message: String

    /// Makes an error with a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `MLLP <code>: <message>`, for logs.
    public var description: String { "MLLP \(self.code): \(self.message)" }
}
