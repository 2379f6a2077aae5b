import Authorization
@testable import CareBridgeServer
import HTTPTypes
import HummingbirdTesting
import Testing

/// Rate limits per client: the token bucket, the table of buckets, and the 429 answer.
@Suite("Rate limits")
struct RateLimitTests {
    let start = ContinuousClock.now

    @Test("a bucket lets the burst through, then throttles with a whole Retry-After of at least one second")
    func burstThenThrottle() {
        let limiter = RateLimiter(RateLimit(requestsPerSecond: 2, burst: 3), now: start)
        let verdicts = (0..<4).map { _ in limiter.admit("a", at: start) }
        #expect(verdicts == [.allowed, .allowed, .allowed, .throttled(retryAfter: 1)])
        #expect(limiter.admit("a", at: start + .milliseconds(400)) == .throttled(retryAfter: 1))
        #expect(limiter.admit("a", at: start + .milliseconds(500)) == .allowed)
        #expect(limiter.admit("a", at: start + .milliseconds(500)) == .throttled(retryAfter: 1))
    }

    @Test("Retry-After rounds the wait up: at one request every 10 s it says 10, then less as time passes")
    func retryAfterRoundsUp() {
        let limiter = RateLimiter(RateLimit(requestsPerSecond: 0.1, burst: 1), now: start)
        #expect(limiter.admit("slow", at: start) == .allowed)
        #expect(limiter.admit("slow", at: start) == .throttled(retryAfter: 10))
        #expect(limiter.admit("slow", at: start + .milliseconds(2500)) == .throttled(retryAfter: 8))
        #expect(limiter.admit("slow", at: start + .seconds(10)) == .allowed)
    }

    @Test("clients have buckets of their own")
    func clientsAreSeparate() {
        let limiter = RateLimiter(RateLimit(requestsPerSecond: 1, burst: 1), now: start)
        #expect(limiter.admit("a", at: start) == .allowed)
        #expect(limiter.admit("a", at: start) == .throttled(retryAfter: 1))
        #expect(limiter.admit("b", at: start) == .allowed)
    }

    @Test("a bucket never holds more than the burst, however long the client was quiet")
    func refillIsCapped() {
        let limiter = RateLimiter(RateLimit(requestsPerSecond: 100, burst: 5), now: start)
        let later = start + .seconds(3600)
        let allowed = (0..<10).filter { _ in limiter.admit("a", at: later) == .allowed }.count
        #expect(allowed == 5)
    }

    @Test("idle buckets are swept and the table never grows past its cap")
    func tableIsBounded() {
        let limiter = RateLimiter(RateLimit(requestsPerSecond: 10, burst: 10), maximumClients: 1000, now: start)
        for index in 0..<5000 {
            _ = limiter.admit("client-\(index)", at: start + .milliseconds(index / 10))
            #expect(limiter.clientCount <= 1000)
        }
        // A full refill later, the next request sweeps away every bucket that is full again.
        _ = limiter.admit("late", at: start + .seconds(10))
        #expect(limiter.clientCount == 1)
    }

    @Test("the sweep forgets only buckets that would be full again, so it never hands out extra requests")
    func sweepKeepsPartlyEmptyBuckets() {
        let limiter = RateLimiter(RateLimit(requestsPerSecond: 1, burst: 2), now: start)
        #expect(limiter.admit("busy", at: start) == .allowed)
        #expect(limiter.admit("busy", at: start) == .allowed)
        #expect(limiter.admit("busy", at: start + .milliseconds(1500)) == .allowed)
        _ = limiter.admit("other", at: start + .milliseconds(2100))  // a sweep: the refill time (2 s) has passed
        #expect(limiter.admit("busy", at: start + .milliseconds(2100)) == .allowed)
        #expect(limiter.admit("busy", at: start + .milliseconds(2100)) == .throttled(retryAfter: 1))
    }

    @Test("requests count against the client id of their grant, or else the caller's address")
    func keys() {
        let client = AccessGrant(clientID: "lab-northwind", scopes: ScopeSet([]))
        #expect(RateLimitMiddleware.key(access: client, remoteAddress: "10.1.2.3") == "client:lab-northwind")
        let anonymous = AccessGrant(scopes: ScopeSet([]))
        #expect(RateLimitMiddleware.key(access: anonymous, remoteAddress: "10.1.2.3") == "address:10.1.2.3")
        #expect(RateLimitMiddleware.key(access: anonymous, remoteAddress: nil) == "unknown")
        #expect(RateLimitMiddleware.key(access: .insecureDevelopment, remoteAddress: "10.1.2.3") == "address:10.1.2.3")
        #expect(RateLimitMiddleware.key(access: AccessGrant(clientID: "10.1.2.3", scopes: ScopeSet([])), remoteAddress: "10.1.2.3")
            != RateLimitMiddleware.key(access: anonymous, remoteAddress: "10.1.2.3"))
    }

    @Test("past the burst the hub answers 429 with Retry-After and a throttled OperationOutcome, open paths included")
    func throttledAnswer() async throws {
        try await Hub.run(configure: { $0.rateLimit = RateLimit(requestsPerSecond: 0.01, burst: 3) }) { hub in
            #expect(try await hub.get("/health").status == 200)
            #expect(try await hub.get("/fhir/metadata").status == 200)
            #expect(try await hub.get("/fhir/Patient").status == 200)
            for path in ["/health", "/fhir/metadata", "/.well-known/smart-configuration", "/fhir/Patient"] {
                let reply = try await hub.get(path)
                try reply.expectError(429, code: "throttled")
                let retryAfter = try #require(reply.header("Retry-After").flatMap(Int.init), "\(path)")
                #expect(retryAfter >= 1 && retryAfter <= 100)
                #expect(reply.header("X-Frame-Options") == "DENY")
            }
            let token = try await hub.send(.post, "/auth/token", body: "grant_type=client_credentials", headers: [
                "Content-Type": "application/x-www-form-urlencoded",
            ])
            try token.expectError(429, code: "throttled")
        }
    }

    @Test("over a real connection, requests are counted by the caller's address")
    func liveCountsByAddress() async throws {
        try await Hub.run(setup: .live, configure: { $0.rateLimit = RateLimit(requestsPerSecond: 0.01, burst: 2) }) { hub in
            #expect(try await hub.get("/health").status == 200)
            #expect(try await hub.get("/fhir/metadata").status == 200)
            let throttled = try await hub.get("/fhir/metadata")
            #expect(throttled.status == 429)
            #expect(throttled.header("Retry-After").flatMap(Int.init).map { $0 >= 1 } == true)
        }
    }

    @Test("with no rate limit configured, nothing is throttled")
    func off() async throws {
        try await Hub.run { hub in
            var statuses = Set<Int>()
            for _ in 0..<600 { statuses.insert(try await hub.get("/health").status) }
            #expect(statuses == [200])
        }
    }
}
