import MLLP

extension HubConfiguration {
    /// The MLLP listener's address and limits (frame size, idle time, connection count, allowed sources), or
    /// nil when no MLLP port is configured; fails when an allowed source is not an address or CIDR block.
    public func mllpConfiguration() throws -> MLLPConfiguration? {
        guard let port = mllpPort else { return nil }
        return MLLPConfiguration(
            host: httpHost, port: port, maximumFrameSize: mllpMaximumFrameSize,
            idleTimeout: .seconds(mllpIdleTimeoutSeconds), maximumConnections: mllpMaximumConnections,
            allowedSources: try mllpAllowedSources?.map { try MLLPAddressRange($0) }
        )
    }
}
