import Synchronization

/// Wakes the dispatcher when a transaction of this process has committed outbox events, so that it claims
/// them at once instead of at its next poll (events committed by other processes are found by polling).
/// One waiter at a time: the dispatcher's claiming loop.
public final class DeliveryWakeUp: Sendable {
    private struct State {
        /// Signalled while nobody waited: the next wait returns at once.
        var signalled = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes the waiter, or the next wait if nobody waits now.
    public func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.signalled = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns when signalled (at once if signalled since the last wait), or after `limit`.
    public func wait(upTo limit: Duration) async {
        let timerTask = Task {
            guard (try? await Task.sleep(for: limit)) != nil else { return }
            self.release()
        }
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.signalled {
                    state.signalled = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
        timerTask.cancel()
        await timerTask.value
    }

    /// Resumes the waiter, if any, without leaving a signal behind (the timeout).
    private func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
