import FHIRCore
import Foundation
import HTTPTypes
import PostgresNIO
import Testing
import Webhooks

/// A subscriber sees only what its scopes allow: it cannot subscribe to what it may not read, its access is
/// stamped on the Subscription by the server, and a patient-context subscriber hears only of its patient.
@Suite("Subscriptions carry their creator's access")
struct SubscriptionAccessTests {
    static func subscription(_ criteria: String, status: String = "requested", extra: String = "") -> String {
        """
        {"resourceType": "Subscription", "status": "\(status)", "reason": "test", "criteria": "\(criteria)",\(extra)
         "channel": {"type": "rest-hook", "endpoint": "http://127.0.0.1:9/hook", "payload": "application/fhir+json"}}
        """
    }

    @Test("a subscriber may not watch a type its scopes do not let it read")
    func unreadableCriteria() async throws {
        try await SecuredHub.run { hub in
            let token = SecuredHub.token(role: nil, scope: "system/Observation.rs system/Subscription.cruds")
            let refused = try await hub.send(.post, "/fhir/Subscription", token: token, body: Self.subscription("Patient?active=true"))
            #expect(refused.status == 403)
            let accepted = try await hub.send(.post, "/fhir/Subscription", token: token, body: Self.subscription("Observation?status=final"))
            #expect(accepted.status == 201, "\(accepted.text)")
        }
    }

    @Test("the access stamp is the server's: a forged one is replaced by the caller's")
    func forgedStamp() async throws {
        try await SecuredHub.run { hub in
            let token = SecuredHub.token(role: nil, scope: "system/Observation.rs system/Subscription.cruds")
            let forged = """
                "extension": [{"url": "\(SubscriptionAccess.url)", "extension": [{"url": "scope", "valueString": "system/*.*"}]}],
                """
            let reply = try await hub.send(.post, "/fhir/Subscription", token: token, body: Self.subscription("Observation?", extra: forged))
            #expect(reply.status == 201, "\(reply.text)")
            let stamps = try (reply.json["extension"]?.arrayValue ?? []).filter { $0["url"]?.stringValue == SubscriptionAccess.url }
            #expect(stamps.count == 1)
            let scope = stamps.first?["extension"]?.arrayValue?.first { $0["url"]?.stringValue == "scope" }?["valueString"]?.stringValue
            #expect(scope == "system/Observation.rs system/Subscription.cruds")
        }
    }

    @Test("a patient-context subscriber is told only of its own patient's resources")
    func patientContextEvents() async throws {
        try await SecuredHub.run { hub in
            let admin = SecuredHub.token(role: "administrator")
            let world = try await PatientWorld.seed(hub, token: admin)
            let token = SecuredHub.token(role: nil, scope: "patient/Observation.rs user/Subscription.cruds", patient: world.own)
            // Written in `error` so that it records events at once, without waiting for a handshake.
            let created = try await hub.send(.post, "/fhir/Subscription", token: token, body: Self.subscription("Observation?", status: "error"))
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(try created.json["id"]?.stringValue)
            // The catalog reloads after the Subscription commits: write the patient's own Observations until
            // one is recorded, then one of each patient.
            var probes = 0
            while try await Self.focuses(of: id, hub).isEmpty, probes < 100 {
                _ = try await world.make("Observation", of: world.own, hub: hub, token: admin)
                probes += 1
                try await Task.sleep(for: .milliseconds(100))
            }
            let theirs = try await world.make("Observation", of: world.other, hub: hub, token: admin)
            let mine = try await world.make("Observation", of: world.own, hub: hub, token: admin)
            let focuses = try await Self.focuses(of: id, hub)
            #expect(focuses.last == mine)
            #expect(!focuses.contains(theirs))
            #expect(!focuses.contains(world.resource("Observation", of: world.other)))
        }
    }

    /// The focus ids of the events recorded for Subscription `id`, in order.
    static func focuses(of id: String, _ hub: SecuredHub) async throws -> [String] {
        var focuses: [String] = []
        let rows = try await hub.hub.database.query("SELECT focus_id FROM webhook_event WHERE subscription_id = \(id) ORDER BY event_number")
        for try await focus in rows.decode(String.self) { focuses.append(focus) }
        return focuses
    }
}
