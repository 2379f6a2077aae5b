import NIOConcurrencyHelpers

/// How fast one client may send requests: a token bucket that holds `burst` requests and refills at
/// `requestsPerSecond`.
public struct RateLimit: Sendable, Hashable {
    /// Sustained requests per second.
    public var requestsPerSecond: Double
    /// Requests a client that has been quiet may send at once.
    public var burst: Int

    /// The hub's default: 200 requests per second with bursts of 400.
    public static let standard = RateLimit(requestsPerSecond: 200, burst: 400)

    public init(requestsPerSecond: Double, burst: Int) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = burst
    }
}

/// One token bucket per client key, in a lock-protected table.
///
/// A bucket left alone long enough to refill completely is the same as no bucket, so such buckets are swept
/// away (at most once per refill period); the table is also capped at `maximumClients`, beyond which the
/// longest-idle quarter is forgotten (forgetting only ever gives a client a full bucket, never fewer requests).
final class RateLimiter: Sendable {
    /// Whether a request may go on, or how many whole seconds until it could.
    enum Verdict: Sendable, Hashable {
        case allowed
        case throttled(retryAfter: Int)
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private struct State {
        var buckets: [String: Bucket] = [:]
        var lastSweep: ContinuousClock.Instant
    }

    let limit: RateLimit
    let maximumClients: Int
    /// Requests per second, at least one a day (a zero or negative rate would never refill).
    private let rate: Double
    /// How long an empty bucket takes to fill.
    private let refillTime: Duration
    private let state: NIOLockedValueBox<State>

    init(_ limit: RateLimit, maximumClients: Int = 100_000, now: ContinuousClock.Instant = .now) {
        self.limit = limit
        self.maximumClients = max(1, maximumClients)
        rate = max(limit.requestsPerSecond, 1.0 / 86_400)
        refillTime = .seconds(Double(max(1, limit.burst)) / rate)
        state = NIOLockedValueBox(State(lastSweep: now))
    }

    /// Takes one request from `key`'s bucket.
    func admit(_ key: String, at now: ContinuousClock.Instant = .now) -> Verdict {
        state.withLockedValue { state in
            if now - state.lastSweep >= refillTime || (state.buckets[key] == nil && state.buckets.count >= maximumClients) {
                sweep(&state, now: now)
            }
            let capacity = Double(max(1, limit.burst))
            var bucket = state.buckets[key] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = max(0, Self.seconds(now - bucket.updated))
            bucket.tokens = min(capacity, bucket.tokens + elapsed * rate)
            bucket.updated = now
            defer { state.buckets[key] = bucket }
            guard bucket.tokens >= 1 else {
                let wait = (1 - bucket.tokens) / rate
                return .throttled(retryAfter: max(1, Int(wait.rounded(.up))))
            }
            bucket.tokens -= 1
            return .allowed
        }
    }

    /// Number of clients with a bucket (for tests).
    var clientCount: Int { state.withLockedValue { $0.buckets.count } }

    private func sweep(_ state: inout State, now: ContinuousClock.Instant) {
        state.lastSweep = now
        state.buckets = state.buckets.filter { now - $0.value.updated < refillTime }
        guard state.buckets.count >= maximumClients else { return }
        let idlest = state.buckets.sorted { $0.value.updated < $1.value.updated }.prefix(max(1, state.buckets.count / 4))
        for (key, _) in idlest { state.buckets[key] = nil }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
