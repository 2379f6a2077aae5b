import NIOConcurrencyHelpers
import NIOCore

/// The listener's open connections: admits new ones under the connection limit, and drains them all at shutdown.
final class MLLPConnectionRegistry: Sendable {
    enum Admission { case admitted, full, draining }

    private struct State {
        var channels: [ObjectIdentifier: any Channel] = [:]
        var draining = false
    }

    private let maximumConnections: Int
    private let state = NIOLockedValueBox(State())

    init(maximumConnections: Int) {
        self.maximumConnections = maximumConnections
    }

    /// Records `channel` as open unless the limit is reached or the listener is shutting down; it is forgotten
    /// when it closes.
    func admit(_ channel: any Channel) -> Admission {
        let admission = self.state.withLockedValue { state -> Admission in
            if state.draining { return .draining }
            if state.channels.count >= self.maximumConnections { return .full }
            state.channels[ObjectIdentifier(channel)] = channel
            return .admitted
        }
        if admission == .admitted {
            channel.closeFuture.whenComplete { _ in
                self.state.withLockedValue { _ = $0.channels.removeValue(forKey: ObjectIdentifier(channel)) }
            }
        }
        return admission
    }

    /// Number of open connections.
    var count: Int { self.state.withLockedValue { $0.channels.count } }

    /// Refuses new connections from now on and asks every open one to finish its message and close.
    func drain() {
        let channels = self.state.withLockedValue { state in
            state.draining = true
            return Array(state.channels.values)
        }
        for channel in channels {
            channel.triggerUserOutboundEvent(MLLPDrainEvent(), promise: nil)
        }
    }
}
