import Foundation

/// What to do with a delivery after an attempt.
public enum DeliveryDecision: Sendable, Hashable {
    /// The receiver answered 2xx: the delivery is done.
    case delivered
    /// The attempt failed and the schedule has attempts left: try again after this wait.
    case retry(after: Duration)
    /// The attempt failed and it was the last one the schedule allows: keep the delivery as a dead letter.
    case deadLetter(reason: String)
    /// The receiver answered 410 Gone: it wants no more deliveries, so stop delivering to this subscription.
    case gone(reason: String)
}

/// Decides, from one attempt's result, whether a delivery is done, retried, dead-lettered or gone.
///
/// Pure apart from the random generator passed in, so the dispatcher and its tests get the same answers.
public struct RetryPolicy: Sendable, Hashable {
    /// The waits between attempts.
    public var schedule: RetrySchedule
    /// How far each wait is moved at random, as a fraction of itself either way.
    public var jitter: Double
    /// The longest wait, whatever the schedule or a `Retry-After` header ask for.
    public var maximumDelay: Duration

    /// A policy over `schedule`, with +/-20% jitter and waits of at most 24 hours by default.
    public init(
        schedule: RetrySchedule = .standard, jitter: Double = 0.2, maximumDelay: Duration = .seconds(24 * 3600)
    ) {
        self.schedule = schedule
        self.jitter = jitter
        self.maximumDelay = maximumDelay
    }

    /// The decision after attempt number `attempt` (1 for the first) gave `result`.
    ///
    /// A retry waits the schedule's jittered delay or the receiver's `Retry-After` (read against `now`),
    /// whichever is later, and never more than `maximumDelay`.
    public func decide(
        afterAttempt attempt: Int,
        result: WebhookAttemptResult,
        now: Date,
        using generator: inout some RandomNumberGenerator
    ) -> DeliveryDecision {
        if result.isDelivered {
            return .delivered
        }
        if result.statusCode == 410 {
            return .gone(reason: "the endpoint answered 410 Gone: it asks for no more deliveries")
        }
        guard let delay = schedule.delay(afterAttempt: attempt) else {
            let attempts = attempt == 1 ? "1 attempt" : "\(attempt) attempts"
            return .deadLetter(reason: "gave up after \(attempts); the last one failed with \(result.summary)")
        }
        let backoff = RetrySchedule.jittered(delay, fraction: jitter, using: &generator)
        let requested = result.retryAfter.flatMap { RetryAfter.parse($0, now: now) } ?? .zero
        return .retry(after: min(max(backoff, requested), maximumDelay))
    }

    /// The decision after an attempt, with the system's random generator for the jitter.
    public func decide(
        afterAttempt attempt: Int, result: WebhookAttemptResult, now: Date = Date()
    ) -> DeliveryDecision {
        var generator = SystemRandomNumberGenerator()
        return decide(afterAttempt: attempt, result: result, now: now, using: &generator)
    }
}
