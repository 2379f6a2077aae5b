import FHIRCore
import Foundation
import HTTPTypes
import Testing
import Webhooks

/// Outbound webhooks end to end: a live hub, its dispatcher, and a real HTTP receiver on loopback.
@Suite("Subscription delivery", .serialized)
struct SubscriptionDeliveryTests {
    static let appointment = """
        {"resourceType": "Appointment", "status": "booked", "start": "2026-12-01T09:00:00Z", "end": "2026-12-01T09:30:00Z",
         "participant": [{"actor": {"reference": "Patient/p1"}, "status": "accepted"}]}
        """

    /// The event notifications (not handshakes) the receiver got.
    static func events(_ requests: [ReceivedRequest]) throws -> [(request: ReceivedRequest, bundle: JSONValue)] {
        try requests.compactMap { request in
            guard !request.body.isEmpty else { return (request, JSONValue.object(JSONObject())) }
            let bundle = try JSONParser().parse(request.body)
            let type = bundle["entry"]?.arrayValue?.first?["resource"]?["parameter"]?.arrayValue?
                .first { $0["name"]?.stringValue == "type" }?["valueCode"]?.stringValue
            return type == "event-notification" ? (request, bundle) : nil
        }
    }

    static func verify(_ request: ReceivedRequest, secrets: [String]) throws {
        try StandardWebhookSignature.verify(
            id: request.header("webhook-id"), timestamp: request.header("webhook-timestamp"), body: request.body,
            signatureHeader: request.header("webhook-signature"),
            secrets: try secrets.map { try WebhookSecret(encoded: $0) }
        )
    }

    @Test("A topic subscription gets one signed history Bundle when an Appointment is cancelled")
    func topicNotification() async throws {
        try await LoopbackReceiver.withReceiver { receiver in
            try await WebhookHub.run { hub in
                let (id, secret) = try await hub.subscribe(SubscriptionJSON.topic("appointment-cancelled", endpoint: receiver.url()))
                let (_, subscription) = try await hub.send(.get, "/fhir/Subscription/\(id)")
                #expect(subscription?["status"]?.stringValue == "active")
                let handshake = try #require(await receiver.requests.first)
                #expect(handshake.bodyText.contains("\"handshake\""))
                let appointmentID = try await hub.create("Appointment", Self.appointment)
                let cancelled = Self.appointment.replacingOccurrences(of: "\"booked\"", with: "\"cancelled\"")
                    .replacingOccurrences(of: "{\"resourceType\": \"Appointment\",", with: "{\"resourceType\": \"Appointment\", \"id\": \"\(appointmentID)\",")
                #expect(try await hub.send(.put, "/fhir/Appointment/\(appointmentID)", cancelled).status == 200)
                let received = try Self.events(await receiver.waitForRequests(2, timeout: .seconds(60)))
                try #require(received.count == 1)
                let (request, bundle) = received[0]
                try Self.verify(request, secrets: [secret])
                #expect(bundle["type"]?.stringValue == "history")
                let status = try #require(bundle["entry"]?.arrayValue?.first?["resource"])
                let event = status["parameter"]?.arrayValue?.first { $0["name"]?.stringValue == "notification-event" }
                #expect(event?["part"]?.arrayValue?.first?["valueString"]?.stringValue == "1")
                #expect(bundle["entry"]?.arrayValue?[1]["resource"]?["status"]?.stringValue == "cancelled")
                // The receiver that was down catches up with $events.
                let (code, events) = try await hub.send(.get, "/fhir/Subscription/\(id)/$events?eventsSinceNumber=1")
                #expect(code == 200)
                #expect(events?["entry"]?.arrayValue?.count == 2)
            }
        }
    }

    @Test("Events of one subscription arrive in commit order; a retried event holds back the later ones and keeps its webhook-id")
    func orderingUnderRetries() async throws {
        try await LoopbackReceiver.withReceiver { receiver in
            try await WebhookHub.run(retrySchedule: "300ms,300ms,300ms") { hub in
                let (_, secret) = try await hub.subscribe(SubscriptionJSON.criteria("Patient?gender=female", endpoint: receiver.url(), payload: true))
                await receiver.script([ScriptedResponse(status: 500), ScriptedResponse(status: 500)])
                var ids: [String] = []
                for name in ["Ann", "Bea", "Cleo"] {
                    ids.append(try await hub.create("Patient", #"{"resourceType": "Patient", "gender": "female", "name": [{"given": ["\#(name)"]}]}"#))
                }
                _ = try await hub.create("Patient", #"{"resourceType": "Patient", "gender": "male"}"#)
                let requests = await receiver.waitForRequests(6, timeout: .seconds(60))
                let deliveries = requests.filter { $0.method == "PUT" }
                try #require(deliveries.count == 5)
                #expect(deliveries.map { $0.path.split(separator: "/").last.map(String.init) ?? "" } == [ids[0], ids[0], ids[0], ids[1], ids[2]])
                #expect(Set(deliveries.prefix(3).compactMap { $0.header("webhook-id") }).count == 1)
                #expect(Set(deliveries.compactMap { $0.header("webhook-id") }).count == 3)
                for delivery in deliveries { try Self.verify(delivery, secrets: [secret]) }
            }
        }
    }

    @Test("Retry-After is honoured; after the last attempt the delivery is dead-lettered and the subscription goes to error; resend delivers it, after later events too")
    func retryAfterAndDeadLetter() async throws {
        try await LoopbackReceiver.withReceiver { receiver in
            try await WebhookHub.run(retrySchedule: "100ms") { hub in
                let (id, _) = try await hub.subscribe(SubscriptionJSON.criteria("Patient", endpoint: receiver.url()))
                await receiver.script([ScriptedResponse(status: 503, headers: [("Retry-After", "2")]), ScriptedResponse(status: 500)])
                _ = try await hub.create("Patient", #"{"resourceType": "Patient"}"#)
                let requests = await receiver.waitForRequests(3, timeout: .seconds(60))
                try #require(requests.count == 3)
                #expect(requests[2].receivedAt.timeIntervalSince(requests[1].receivedAt) >= 1.9)
                #expect(try await hub.waitForStatus(id, "error") == "error")
                let (_, dead) = try await hub.send(.get, "/webhooks/subscriptions/\(id)/deliveries?status=dead")
                let delivery = try #require(dead?["deliveries"]?.arrayValue?.first)
                #expect(delivery["attempts"]?.numberText == "2")
                let (_, detail) = try await hub.send(.get, "/webhooks/subscriptions/\(id)/deliveries/\(delivery["eventId"]?.numberText ?? "")")
                #expect(detail?["attempts"]?.arrayValue?.map { $0["statusCode"]?.numberText } == ["503", "500"])
                #expect(try await hub.send(.post, "/webhooks/subscriptions/\(id)/$resume").status == 200)
                // A change made while the new handshake is under way is delivered once the subscription is active
                // again, before the dead event is re-sent: the re-sent one must still be found after it.
                _ = try await hub.create("Patient", #"{"resourceType": "Patient"}"#)
                #expect(await receiver.waitForRequests(5, timeout: .seconds(60)).count == 5)  // the handshake, the new event
                #expect(try await hub.send(.post, "/webhooks/subscriptions/\(id)/$resend").json?["resent"]?.numberText == "1")
                let after = await receiver.waitForRequests(6, timeout: .seconds(60))
                #expect(after.count == 6)
                #expect(after.last?.header("webhook-id") == requests[1].header("webhook-id"))
            }
        }
    }

    @Test("A receiver answering 410 Gone turns the subscription off; a timeout is retried")
    func goneAndTimeout() async throws {
        try await LoopbackReceiver.withReceiver { receiver in
            try await WebhookHub.run(retrySchedule: "100ms,100ms", timeoutSeconds: 1) { hub in
                let (id, _) = try await hub.subscribe(SubscriptionJSON.criteria("Patient", endpoint: receiver.url()))
                await receiver.script([ScriptedResponse(status: 200, delay: .seconds(2)), ScriptedResponse(status: 410)])
                _ = try await hub.create("Patient", #"{"resourceType": "Patient"}"#)
                _ = await receiver.waitForRequests(3, timeout: .seconds(60))
                #expect(try await hub.waitForStatus(id, "off") == "off")
                let (_, detail) = try await hub.send(.get, "/webhooks/subscriptions/\(id)/deliveries?status=dead")
                #expect(detail?["deliveries"]?.arrayValue?.first?["lastError"]?.stringValue?.contains("410") == true)
            }
        }
    }

    @Test("During a secret rotation every delivery carries both signatures")
    func secretRotation() async throws {
        try await LoopbackReceiver.withReceiver { receiver in
            try await WebhookHub.run { hub in
                let (id, old) = try await hub.subscribe(SubscriptionJSON.criteria("Patient", endpoint: receiver.url()))
                let (_, rotated) = try await hub.send(.post, "/webhooks/subscriptions/\(id)/$rotate-secret", #"{"overlapSeconds": 3600}"#)
                let new = try #require(rotated?["secret"]?.stringValue)
                #expect(new != old)
                #expect(rotated?["previousSecret"]?.stringValue == old)
                _ = try await hub.create("Patient", #"{"resourceType": "Patient"}"#)
                let requests = await receiver.waitForRequests(2, timeout: .seconds(60))
                let delivery = try #require(requests.last)
                #expect(delivery.header("webhook-signature")?.split(separator: " ").count == 2)
                try Self.verify(delivery, secrets: [old])
                try Self.verify(delivery, secrets: [new])
            }
        }
    }

    @Test("The CapabilityStatement lists the topics and the $status and $events operations on Subscription")
    func capabilities() async throws {
        try await WebhookHub.run { hub in
            let (_, metadata) = try await hub.send(.get, "/fhir/metadata")
            let subscription = metadata?["rest"]?.arrayValue?.first?["resource"]?.arrayValue?
                .first { $0["type"]?.stringValue == "Subscription" }
            let topics = subscription?["extension"]?.arrayValue?.compactMap { $0["valueCanonical"]?.stringValue } ?? []
            #expect(topics.contains(SubscriptionJSON.topicBase + "lab-result-final"))
            #expect(topics.count == 9)
            #expect(subscription?["operation"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["status", "events"])
        }
    }

    @Test("Subscriptions that cannot work are refused with an OperationOutcome")
    func refusals() async throws {
        try await WebhookHub.run { hub in
            let endpoint = URL(string: "http://127.0.0.1:9/hook")!
            let cases = [
                SubscriptionJSON.criteria("Patient", endpoint: URL(string: "ftp://example.org/x")!),
                SubscriptionJSON.criteria("Patient", endpoint: URL(string: "https://user:pw@example.org/x")!),
                SubscriptionJSON.criteria("Patient?nonsense=1", endpoint: endpoint),
                SubscriptionJSON.topic("no-such-topic", endpoint: endpoint),
                SubscriptionJSON.topic("appointment-cancelled", endpoint: endpoint, filter: "Appointment?status=booked"),
                SubscriptionJSON.criteria("Patient", endpoint: endpoint).replacingOccurrences(of: "rest-hook", with: "websocket"),
            ]
            for body in cases {
                let (status, outcome) = try await hub.send(.post, "/fhir/Subscription", body)
                #expect(status == 422, "\(body)")
                #expect(outcome?["resourceType"]?.stringValue == "OperationOutcome")
            }
        }
    }
}
