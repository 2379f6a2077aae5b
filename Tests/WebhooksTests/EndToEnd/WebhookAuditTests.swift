import FHIRCore
import Foundation
import HTTPTypes
import Testing

/// Every attempt to deliver a notification leaves an AuditEvent (an Export to the endpoint): the handshake,
/// each event notification, and failed attempts with the endpoint's answer.
@Suite("Webhook delivery audit", .serialized)
struct WebhookAuditTests {
    /// Waits up to a minute for `count` delivery AuditEvents of Subscription `id`; returns those found.
    static func deliveries(_ hub: WebhookHub, subscription id: String, count: Int) async throws -> [JSONValue] {
        let query = "/fhir/AuditEvent?type=http://dicom.nema.org/resources/ontology/DCM%7C110106&entity=Subscription/\(id)&_count=100"
        let deadline = ContinuousClock.now + .seconds(60)
        var events: [JSONValue] = []
        while ContinuousClock.now < deadline {
            let (status, bundle) = try await hub.send(.get, query)
            #expect(status == 200)
            events = bundle?["entry"]?.arrayValue?.compactMap { $0["resource"] } ?? []
            if events.count >= count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return events
    }

    /// The `entity.detail` value of `type` in an AuditEvent.
    static func detail(_ event: JSONValue, _ type: String) -> String? {
        event["entity"]?.arrayValue?.first?["detail"]?.arrayValue?.first { $0["type"]?.stringValue == type }?["valueString"]?.stringValue
    }

    @Test("The handshake, a delivered event and a refused attempt are audited with subscription, event number, endpoint and answer")
    func deliveriesAreAudited() async throws {
        try await LoopbackReceiver.withReceiver { receiver in
            try await WebhookHub.run(retrySchedule: "200ms,200ms") { hub in
                let (id, _) = try await hub.subscribe(SubscriptionJSON.criteria("Patient?gender=female", endpoint: receiver.url()))
                await receiver.script([ScriptedResponse(status: 503)])
                _ = try await hub.create("Patient", #"{"resourceType": "Patient", "gender": "female"}"#)
                _ = await receiver.waitForRequests(3, timeout: .seconds(60))
                let events = try await Self.deliveries(hub, subscription: id, count: 3)
                try #require(events.count >= 3, "\(events.count) delivery AuditEvents")

                let handshake = try #require(events.first { Self.detail($0, "notification-type") == "handshake" })
                #expect(handshake["outcome"]?.stringValue == "0")
                #expect(handshake["action"]?.stringValue == "R")

                let attempts = events.filter { Self.detail($0, "notification-type") == "event-notification" }
                #expect(attempts.allSatisfy { Self.detail($0, "event-number") == "1" })
                let refused = try #require(attempts.first { $0["outcome"]?.stringValue == "8" })
                #expect(refused["outcomeDesc"]?.stringValue?.contains("HTTP 503") == true)
                let delivered = try #require(attempts.first { $0["outcome"]?.stringValue == "0" })
                let receiving = try #require(delivered["agent"]?.arrayValue?.first { $0["requestor"]?.boolValue == false })
                #expect(receiving["network"]?["address"]?.stringValue == receiver.url().host)
                #expect(delivered["agent"]?.arrayValue?.first?["who"]?["identifier"]?["value"]?.stringValue == "carebridge")
            }
        }
    }
}
