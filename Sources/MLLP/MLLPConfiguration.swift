import NIOCore

/// Where the MLLP listener binds and the limits it keeps.
public struct MLLPConfiguration: Sendable {
    /// Address to bind (`0.0.0.0` or `::` for all interfaces).
    public var host: String
    /// TCP port; 0 lets the system choose (read it back with ``MLLPListener/boundPort``).
    public var port: Int
    /// Largest message accepted, in bytes between `0x0B` and `0x1C`. A frame that grows past it is rejected
    /// and the connection closed, so a connection never buffers more than this plus one socket read.
    public var maximumFrameSize: Int
    /// A connection that sends nothing for this long, while no message of its is being handled, is closed.
    public var idleTimeout: Duration
    /// Connections beyond this many open ones are closed as soon as they are accepted.
    public var maximumConnections: Int
    /// Peers allowed to connect; `nil` allows any. Others are closed as soon as they are accepted.
    public var allowedSources: [MLLPAddressRange]?

    /// The default MLLP port registered with IANA (2575).
    public static let defaultPort = 2575

    /// Makes a configuration; every limit has a default suited to a hospital interface.
    public init(
        host: String = "127.0.0.1",
        port: Int = MLLPConfiguration.defaultPort,
        maximumFrameSize: Int = 16 * 1024 * 1024,
        idleTimeout: Duration = .seconds(300),
        maximumConnections: Int = 256,
        allowedSources: [MLLPAddressRange]? = nil
    ) {
        self.host = host
        self.port = port
        self.maximumFrameSize = maximumFrameSize
        self.idleTimeout = idleTimeout
        self.maximumConnections = maximumConnections
        self.allowedSources = allowedSources
    }
}

/// The remote end of an MLLP connection.
public struct MLLPPeer: Sendable, Hashable, CustomStringConvertible {
    /// The peer's IP address as text (`127.0.0.1`, `::1`), or a description when the socket has none.
    public var address: String
    /// The peer's TCP port, when known.
    public var port: Int?

    /// Makes a peer from its address and port.
    public init(address: String, port: Int?) {
        self.address = address
        self.port = port
    }

    init(_ socketAddress: SocketAddress?) {
        self.init(address: socketAddress?.ipAddress ?? socketAddress.map { "\($0)" } ?? "unknown", port: socketAddress?.port)
    }

    /// `address:port` (`[address]:port` for IPv6), for logs.
    public var description: String {
        guard let port = self.port else { return self.address }
        return self.address.contains(":") ? "[\(self.address)]:\(port)" : "\(self.address):\(port)"
    }
}
