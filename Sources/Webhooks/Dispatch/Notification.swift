import FHIRCore
import Foundation
import NIOCore
import Store

/// One HTTP request to a subscriber: where, how, and what.
public struct Notification: Sendable {
    public var method: String
    public var url: URL
    public var contentType: String
    public var body: [UInt8]
}

/// Builds what subscribers receive.
///
/// - Topic-based subscriptions (R4 Subscriptions Backport IG): a `history` Bundle whose first entry is the
///   SubscriptionStatus (`Parameters`, profile `backport-subscription-status-r4`) with the event's number, time
///   and focus, followed by the focus itself as `full-resource`, `id-only` (no resource) or nothing (`empty`).
/// - Criteria subscriptions (R4 rest-hook): without a payload, a POST with no body to the endpoint; with one,
///   a PUT of the resource to `[endpoint]/[type]/[id]` (https://hl7.org/fhir/R4/subscription.html#channels).
public struct NotificationBuilder: Sendable {
    /// The FHIR base URL references are made absolute with.
    public let base: String

    public init(base: String) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
    }

    /// The notification of `event` for `subscription`; `focus` is the version the event is about (nil for a deletion).
    public func event(
        _ event: WebhookEventRecord, focus: StoredResource?, subscription: SubscriptionDefinition, eventsSinceStart: Int64
    ) throws -> Notification {
        if case .criteria = subscription.kind {
            guard subscription.payload != .empty, let focus, !focus.deleted else {
                return Notification(method: "POST", url: subscription.endpoint, contentType: "application/fhir+json", body: [])
            }
            let url = subscription.endpoint.appendingPathComponent(focus.resourceType).appendingPathComponent(focus.id)
            return Notification(
                method: "PUT", url: url, contentType: subscription.contentType ?? "application/fhir+json",
                body: Array(focus.body.readableBytesView)
            )
        }
        let focusURL = "\(base)/\(event.focusType)/\(event.focusID)"
        let status = statusParameters(
            subscription, type: "event-notification", eventsSinceStart: eventsSinceStart,
            events: [notificationEvent(event, focus: "\(focusURL)/_history/\(event.focusVersion)")]
        )
        var entries = [statusEntry(status, subscription: subscription)]
        if subscription.payload != .empty {
            var entry: [(String, JSONValue)] = [("fullUrl", .string(focusURL))]
            if subscription.payload == .fullResource, let focus, !focus.deleted {
                entry.append(("resource", try JSONParser().parse(focus.body.readableBytesView)))
            }
            let (method, url, code) = switch event.interaction {
            case "create": ("POST", event.focusType, "201")
            case "delete": ("DELETE", "\(event.focusType)/\(event.focusID)", "204")
            default: ("PUT", "\(event.focusType)/\(event.focusID)", "200")
            }
            entry.append(("request", object([("method", .string(method)), ("url", .string(url))])))
            entry.append(("response", object([("status", .string(code))])))
            entries.append(object(entry))
        }
        return bundle(entries, subscription: subscription)
    }

    /// The handshake (`type` `handshake`) or heartbeat (`heartbeat`) notification: a status with no event.
    public func signal(_ type: String, subscription: SubscriptionDefinition, eventsSinceStart: Int64) -> Notification {
        if case .criteria = subscription.kind {
            return Notification(method: "POST", url: subscription.endpoint, contentType: "application/fhir+json", body: [])
        }
        let status = statusParameters(subscription, type: type, eventsSinceStart: eventsSinceStart, events: [])
        return bundle([statusEntry(status, subscription: subscription)], subscription: subscription)
    }

    /// The SubscriptionStatus of a `$status` or `$events` answer, or of a notification.
    public func statusParameters(
        _ subscription: SubscriptionDefinition, type: String, eventsSinceStart: Int64, events: [JSONValue], status: String? = nil
    ) -> JSONValue {
        var parameters: [JSONValue] = [
            parameter("subscription", ("valueReference", object([("reference", .string("\(base)/Subscription/\(subscription.id)"))]))),
        ]
        if let topic = subscription.topicURL { parameters.append(parameter("topic", ("valueCanonical", .string(topic)))) }
        parameters.append(parameter("status", ("valueCode", .string(status ?? subscription.status))))
        parameters.append(parameter("type", ("valueCode", .string(type))))
        parameters.append(parameter("events-since-subscription-start", ("valueString", .string(String(eventsSinceStart)))))
        parameters += events
        return object([
            ("resourceType", .string("Parameters")),
            ("id", .string(UUID().uuidString.lowercased())),
            ("meta", object([("profile", .array([.string(SubscriptionDefinition.backport + "backport-subscription-status-r4")]))])),
            ("parameter", .array(parameters)),
        ])
    }

    /// The `notification-event` parameter of one event.
    public func notificationEvent(_ event: WebhookEventRecord, focus: String) -> JSONValue {
        object([
            ("name", .string("notification-event")),
            ("part", .array([
                parameter("event-number", ("valueString", .string(String(event.eventNumber)))),
                parameter("timestamp", ("valueInstant", .string(FHIRInstant.string(from: event.occurredAt)))),
                parameter("focus", ("valueReference", object([("reference", .string(focus))]))),
            ])),
        ])
    }

    private func statusEntry(_ status: JSONValue, subscription: SubscriptionDefinition) -> JSONValue {
        object([
            ("fullUrl", .string("urn:uuid:\(status["id"]?.stringValue ?? "")")),
            ("resource", status),
            ("request", object([("method", .string("GET")), ("url", .string("Subscription/\(subscription.id)/$status"))])),
            ("response", object([("status", .string("200"))])),
        ])
    }

    /// A `history` Bundle of `entries`, stamped now: the shape of notifications and of `$status`/`$events` answers.
    public func historyBundle(_ entries: [JSONValue]) -> JSONValue {
        object([
            ("resourceType", .string("Bundle")),
            ("id", .string(UUID().uuidString.lowercased())),
            ("type", .string("history")),
            ("timestamp", .string(FHIRInstant.string(from: Date()))),
            ("entry", .array(entries)),
        ])
    }

    private func bundle(_ entries: [JSONValue], subscription: SubscriptionDefinition) -> Notification {
        Notification(
            method: "POST", url: subscription.endpoint, contentType: subscription.contentType ?? "application/fhir+json",
            body: JSONWriter.bytes(historyBundle(entries))
        )
    }

    private func parameter(_ name: String, _ value: (String, JSONValue)) -> JSONValue {
        object([("name", .string(name)), value])
    }

    private func object(_ members: [(String, JSONValue)]) -> JSONValue {
        .object(JSONObject(members))
    }
}
