import AsyncHTTPClient
import Foundation
import Testing
import Webhooks

/// The sender against a real HTTP receiver on loopback.
@Suite struct WebhookSenderTests {
    let body = Array(#"{"resourceType":"Bundle","type":"history"}"#.utf8)

    private func withSender<T: Sendable>(_ run: (WebhookSender) async throws -> T) async throws -> T {
        let client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: WebhookSender.clientConfiguration())
        do {
            let result = try await run(WebhookSender(client: client))
            try await client.shutdown()
            return result
        } catch {
            try await client.shutdown()
            throw error
        }
    }

    @Test func deliversASignedBodyTheReceiverCanVerify() async throws {
        let secret = WebhookSecret.generate()
        let previous = WebhookSecret.generate()
        let body = self.body
        try await LoopbackReceiver.withReceiver([.ok]) { receiver in
            let headers = StandardWebhookHeaders.make(
                id: "evt_42", timestamp: Date(), body: body, secrets: [secret, previous],
                contentType: "application/fhir+json")
            let result = try await withSender { sender in
                await sender.send(url: receiver.url("/fhir/notify"), headers: headers, body: body, timeout: .seconds(60))
            }
            #expect(result.statusCode == 200)
            #expect(result.isDelivered)
            #expect(result.error == nil)
            #expect(result.latency > .zero)
            let request = try #require(await receiver.requests.first)
            #expect(request.method == "POST")
            #expect(request.path == "/fhir/notify")
            #expect(request.body == body)
            #expect(request.header("content-type") == "application/fhir+json")
            #expect(request.header("webhook-id") == "evt_42")
            for secrets in [[secret], [previous]] {
                try StandardWebhookSignature.verify(
                    id: request.header("webhook-id"), timestamp: request.header("webhook-timestamp"),
                    body: request.body,
                    signatureHeader: request.header("webhook-signature"), secrets: secrets)
            }
        }
    }

    @Test func reportsFailureStatusesWithRetryAfter() async throws {
        try await LoopbackReceiver.withReceiver([
            ScriptedResponse(status: 503, headers: [("retry-after", "120")], body: "busy"),
            ScriptedResponse(status: 410),
            ScriptedResponse(status: 500),
        ]) { receiver in
            let results = try await withSender { sender in
                var results: [WebhookAttemptResult] = []
                for _ in 0..<3 {
                    let result = await sender.send(url: receiver.url(), headers: [], body: body, timeout: .seconds(60))
                    results.append(result)
                }
                return results
            }
            #expect(results.map(\.statusCode) == [503, 410, 500])
            #expect(results[0].retryAfter == "120")
            #expect(results[0].error == "HTTP 503 Service Unavailable")
            #expect(results[1].error == "HTTP 410 Gone")
            #expect(results.allSatisfy { !$0.isDelivered })
            let policy = RetryPolicy()
            #expect(policy.decide(afterAttempt: 1, result: results[0]) == .retry(after: .seconds(120)))
            let gone = policy.decide(afterAttempt: 1, result: results[1])
            #expect(gone == .gone(reason: "the endpoint answered 410 Gone: it asks for no more deliveries"))
        }
    }

    @Test func doesNotFollowRedirects() async throws {
        try await LoopbackReceiver.withReceiver([.redirect(to: "/elsewhere")]) { receiver in
            let result = try await withSender { sender in
                await sender.send(url: receiver.url(), headers: [], body: body, timeout: .seconds(60))
            }
            #expect(result.statusCode == 302)
            #expect(!result.isDelivered)
            #expect(result.error == "HTTP 302 Found")
            try await Task.sleep(for: .milliseconds(100))
            #expect(await receiver.requests.map(\.path) == ["/hook"])
        }
    }

    @Test func timesOutOnASlowReceiver() async throws {
        try await LoopbackReceiver.withReceiver([ScriptedResponse(status: 200, delay: .seconds(2))]) { receiver in
            let result = try await withSender { sender in
                await sender.send(url: receiver.url(), headers: [], body: body, timeout: .milliseconds(500))
            }
            #expect(result.statusCode == nil)
            #expect(result.error == "timeout after 0.5 s")
            #expect(result.latency >= .milliseconds(450))
        }
    }

    @Test func reportsARefusedConnection() async throws {
        let url = try #require(URL(string: "http://127.0.0.1:1/hook"))
        let result = try await withSender { sender in
            await sender.send(url: url, headers: [], body: body, timeout: .seconds(60))
        }
        #expect(result.statusCode == nil)
        #expect(result.error == "connection refused")
    }

    @Test func readsALargeResponseOnlyUpToTheCap() async throws {
        let large = String(repeating: "x", count: 1 << 20)
        try await LoopbackReceiver.withReceiver([ScriptedResponse(status: 200, body: large), .ok]) { receiver in
            let results = try await withSender { sender in
                [
                    await sender.send(url: receiver.url(), headers: [], body: body, timeout: .seconds(60)),
                    await sender.send(url: receiver.url(), headers: [], body: body, timeout: .seconds(60)),
                ]
            }
            #expect(results.map(\.statusCode) == [200, 200])
        }
    }

    @Test func sendsOtherMethodsWhenAsked() async throws {
        try await LoopbackReceiver.withReceiver { receiver in
            let result = try await withSender { sender in
                await sender.send(
                    method: "PUT", url: receiver.url("/Appointment/1"), headers: [], body: body, timeout: .seconds(60))
            }
            #expect(result.statusCode == 200)
            #expect(await receiver.requests.map(\.method) == ["PUT"])
        }
    }
}
