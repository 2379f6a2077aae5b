import Foundation
import Testing
import Webhooks

@Suite struct RetryScheduleTests {
    @Test func standardScheduleGivesTenAttemptsUpToADay() {
        let schedule = RetrySchedule.standard
        #expect(schedule.maximumAttempts == 10)
        #expect(schedule.description == "5s,30s,2m,10m,1h,3h,6h,12h,1d")
        #expect(schedule.delay(afterAttempt: 1) == .seconds(5))
        #expect(schedule.delay(afterAttempt: 9) == .seconds(86_400))
        #expect(schedule.delay(afterAttempt: 10) == nil)
        #expect(schedule.delay(afterAttempt: 0) == nil)
    }

    @Test func parsesTheSettingWithEveryUnit() throws {
        let schedule = try RetrySchedule(parsing: "5s,30s,2m,10m,1h")
        #expect(schedule.delays == [.seconds(5), .seconds(30), .seconds(120), .seconds(600), .seconds(3600)])
        let fast = try RetrySchedule(parsing: " 250ms, 1500ms ,1d")
        #expect(fast.delays == [.milliseconds(250), .milliseconds(1500), .seconds(86_400)])
        #expect(fast.description == "250ms,1500ms,1d")
        #expect(try RetrySchedule(parsing: RetrySchedule.standard.description) == .standard)
    }

    @Test(arguments: ["", "5", "5x", "5 s", "-5s", "1.5s", "5s,,30s", "s", "99999999999999999d"])
    func refusesWhatIsNotADurationList(_ text: String) {
        do {
            let schedule = try RetrySchedule(parsing: text)
            Issue.record("'\(text)' parsed as \(schedule)")
        } catch {
            #expect(error.code == .invalidRetrySchedule)
            #expect(error.message.contains("500ms, 5s, 2m, 1h or 1d"))
        }
    }

    @Test func jitterStaysWithinTwentyPercentAndIsRepeatable() {
        var generator = SeededGenerator(seed: 42)
        let delays = (0..<500).map { _ in RetrySchedule.jittered(.seconds(100), using: &generator) }
        #expect(delays.allSatisfy { $0 >= .seconds(80) && $0 <= .seconds(120) })
        #expect(delays.contains { $0 < .seconds(90) })
        #expect(delays.contains { $0 > .seconds(110) })
        var again = SeededGenerator(seed: 42)
        #expect(RetrySchedule.jittered(.seconds(100), using: &again) == delays[0])
        #expect(RetrySchedule.jittered(.seconds(100), fraction: 0, using: &again) == .seconds(100))
    }
}

@Suite struct RetryAfterTests {
    let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT

    @Test func readsDeltaSeconds() {
        #expect(RetryAfter.parse("120", now: now) == .seconds(120))
        #expect(RetryAfter.parse(" 0 ", now: now) == .zero)
    }

    @Test func readsTheThreeHTTPDateForms() {
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:51:37 GMT", now: now) == .seconds(120))
        #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:51:37 GMT", now: now) == .seconds(120))
        #expect(RetryAfter.parse("Sun Nov  6 08:51:37 1994", now: now) == .seconds(120))
    }

    @Test func aDateInThePastMeansNoWait() {
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:00:00 GMT", now: now) == .zero)
    }

    @Test(arguments: ["", "soon", "-5", "1.5", "06 Nov 1994", "Sun, 06 Nov 1994 08:51:37 PST"])
    func ignoresWhatIsNeitherForm(_ value: String) {
        #expect(RetryAfter.parse(value, now: now) == nil)
    }
}
