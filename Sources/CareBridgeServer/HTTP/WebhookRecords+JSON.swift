import FHIRCore
import Foundation
import Store

extension SubscriptionState {
    /// The state as JSON for `/webhooks/subscriptions` (never with its secrets).
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(id)), ("status", .string(status)), ("paused", .bool(paused)),
            ("eventsSinceSubscriptionStart", .number(String(eventsSinceStart))),
        ]
        if let lastNotifiedAt { members.append(("lastNotifiedAt", .string(FHIRInstant.string(from: lastNotifiedAt)))) }
        return .object(JSONObject(members))
    }
}

extension WebhookDeliveryRecord {
    /// The delivery as JSON for `/webhooks/subscriptions/{id}/deliveries`.
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("eventId", .number(String(event.id))), ("eventNumber", .number(String(event.eventNumber))),
            ("webhookId", .string(webhookID)), ("status", .string(status.rawValue)), ("attempts", .number(String(attempts))),
            ("focus", .string("\(event.focusType)/\(event.focusID)/_history/\(event.focusVersion)")),
            ("interaction", .string(event.interaction)), ("occurredAt", .string(FHIRInstant.string(from: event.occurredAt))),
        ]
        if let topic = event.topic { members.append(("topic", .string(topic))) }
        if status == .pending { members.append(("nextAttemptAt", .string(FHIRInstant.string(from: nextAttemptAt)))) }
        if let lastError { members.append(("lastError", .string(lastError))) }
        if let deliveredAt { members.append(("deliveredAt", .string(FHIRInstant.string(from: deliveredAt)))) }
        return .object(JSONObject(members))
    }
}

extension WebhookAttemptRecord {
    /// The attempt as JSON.
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("attemptedAt", .string(FHIRInstant.string(from: attemptedAt))), ("latencyMs", .number(String(format: "%.1f", latencyMilliseconds))),
        ]
        if let statusCode { members.append(("statusCode", .number(String(statusCode)))) }
        if let error { members.append(("error", .string(error))) }
        return .object(JSONObject(members))
    }
}
