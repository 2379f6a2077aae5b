import Foundation
import Testing
import Webhooks

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy()
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    private func decide(
        _ attempt: Int, _ result: WebhookAttemptResult, policy: RetryPolicy? = nil
    ) -> DeliveryDecision {
        var generator = SeededGenerator(seed: UInt64(attempt))
        return (policy ?? self.policy).decide(afterAttempt: attempt, result: result, now: now, using: &generator)
    }

    private func status(_ code: Int, retryAfter: String? = nil) -> WebhookAttemptResult {
        WebhookAttemptResult(
            statusCode: code, latency: .milliseconds(12), retryAfter: retryAfter,
            error: (200..<300).contains(code) ? nil : "HTTP \(code)")
    }

    private func retryDelay(_ decision: DeliveryDecision) -> Duration? {
        if case .retry(let after) = decision { return after }
        return nil
    }

    @Test(arguments: [200, 201, 202, 204, 299])
    func twoHundredsAreDelivered(_ code: Int) {
        #expect(decide(1, status(code)) == .delivered)
        #expect(decide(10, status(code)) == .delivered)
    }

    @Test(arguments: [301, 302, 307, 400, 404, 429, 500, 502, 503, 504])
    func otherStatusesAreRetriedOnTheSchedule(_ code: Int) throws {
        let delay = try #require(retryDelay(decide(1, status(code))))
        #expect(delay >= .seconds(4) && delay <= .seconds(6))
        let later = try #require(retryDelay(decide(5, status(code))))
        #expect(later >= .seconds(2880) && later <= .seconds(4320))
    }

    @Test func timeoutsAndRefusedConnectionsAreRetried() {
        let timeout = WebhookAttemptResult(statusCode: nil, latency: .seconds(10), error: "timeout after 10 s")
        let refused = WebhookAttemptResult(statusCode: nil, latency: .milliseconds(1), error: "connection refused")
        #expect(retryDelay(decide(1, timeout)) != nil)
        #expect(retryDelay(decide(2, refused)) != nil)
    }

    @Test func goneStopsDeliveringWhateverTheAttempt() {
        for attempt in [1, 5, 10] {
            guard case .gone(let reason) = decide(attempt, status(410)) else {
                Issue.record("410 on attempt \(attempt) was not gone")
                continue
            }
            #expect(reason.contains("410"))
        }
    }

    @Test func theLastAttemptDeadLetters() {
        let timeout = WebhookAttemptResult(statusCode: nil, latency: .seconds(10), error: "timeout after 10 s")
        let reason = "gave up after 10 attempts; the last one failed with timeout after 10 s"
        #expect(decide(10, timeout) == .deadLetter(reason: reason))
        #expect(retryDelay(decide(9, status(500))) != nil)
        let single = RetryPolicy(schedule: RetrySchedule(delays: []))
        let singleReason = "gave up after 1 attempt; the last one failed with HTTP 500"
        #expect(decide(1, status(500), policy: single) == .deadLetter(reason: singleReason))
    }

    @Test func retryAfterLaterThanTheBackoffWins() {
        #expect(decide(1, status(503, retryAfter: "120")) == .retry(after: .seconds(120)))
        #expect(decide(1, status(429, retryAfter: "Tue, 14 Nov 2023 22:46:40 GMT")) == .retry(after: .seconds(2000)))
    }

    @Test func backoffLaterThanRetryAfterWins() throws {
        let delay = try #require(retryDelay(decide(5, status(503, retryAfter: "1"))))
        #expect(delay >= .seconds(2880))
        let unreadable = try #require(retryDelay(decide(1, status(503, retryAfter: "soon"))))
        #expect(unreadable <= .seconds(6))
    }

    @Test func waitsAreCappedAtADay() throws {
        #expect(decide(1, status(503, retryAfter: "1000000")) == .retry(after: .seconds(86_400)))
        let lastWait = try #require(retryDelay(decide(9, status(500))))
        #expect(lastWait <= .seconds(86_400))
        let short = RetryPolicy(schedule: .standard, jitter: 0, maximumDelay: .seconds(60))
        #expect(decide(3, status(500), policy: short) == .retry(after: .seconds(60)))
    }

    @Test func withoutJitterTheScheduleIsExact() {
        let exact = RetryPolicy(schedule: RetrySchedule(delays: [.seconds(1), .seconds(2)]), jitter: 0)
        #expect(decide(1, status(500), policy: exact) == .retry(after: .seconds(1)))
        #expect(decide(2, status(500), policy: exact) == .retry(after: .seconds(2)))
        let reason = "gave up after 3 attempts; the last one failed with HTTP 500"
        #expect(decide(3, status(500), policy: exact) == .deadLetter(reason: reason))
    }
}
