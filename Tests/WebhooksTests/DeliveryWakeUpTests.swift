import Testing
import Webhooks

@Suite("Dispatcher wake-up")
struct DeliveryWakeUpTests {
    @Test("a signal wakes the waiter early; one given while nobody waits is kept for the next wait; otherwise the wait times out")
    func wakeUp() async throws {
        let clock = ContinuousClock()
        let wakeUp = DeliveryWakeUp()

        var start = clock.now
        await wakeUp.wait(upTo: .milliseconds(200))
        #expect(clock.now - start >= .milliseconds(200))

        wakeUp.signal()
        start = clock.now
        await wakeUp.wait(upTo: .seconds(30))
        #expect(clock.now - start < .seconds(5))

        start = clock.now
        async let waited: Void = wakeUp.wait(upTo: .seconds(30))
        try await Task.sleep(for: .milliseconds(100))
        wakeUp.signal()
        await waited
        #expect(clock.now - start < .seconds(5))

        start = clock.now
        await wakeUp.wait(upTo: .milliseconds(100))  // the signal was used up
        #expect(clock.now - start >= .milliseconds(100))
    }
}
