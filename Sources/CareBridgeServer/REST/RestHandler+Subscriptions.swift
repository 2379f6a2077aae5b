import Authorization
import FHIRCore
import Foundation
import NIOCore
import Store
import Webhooks

extension RestHandler {
    /// A Subscription as the hub stores it: checked (criteria, topic, filters, channel, endpoint), with the
    /// status the server owns. A client asks for `requested` (or `active`), which is stored as `requested` until
    /// the handshake succeeds; `off` turns it off; `error` is kept as written (a restored copy stays in error,
    /// recording events without delivering them, until it is resumed). The caller's access is stamped on it
    /// (`SubscriptionAccess`), so that it is told only what the caller may read. Other types pass unchanged.
    func admitted(_ resource: FHIRResource) throws -> FHIRResource {
        guard resource.resourceType == "Subscription", let subscriptions else { return resource }
        var resource = resource
        if ["requested", "active"].contains(resource.json["status"]?.stringValue ?? "requested") {
            resource.json["status"] = .string("requested")
            resource.json["error"] = nil
        }
        resource.json = SubscriptionAccess.stamped(resource.json, with: access)
        let definition: SubscriptionDefinition
        do throws(WebhookError) {
            definition = try SubscriptionDefinition(
                .object(resource.json), id: resource.id ?? "new", versionId: 0, topics: subscriptions.topics,
                registry: registry, endpoints: subscriptions.endpoints
            )
        } catch {
            throw FHIRError(422, code: "invalid", error.message, expression: ["Subscription"])
        }
        // A subscriber hears only of what it may read: refuse what it could never be told about.
        for type in definition.resourceTypes.sorted() where !allows(.read, type) {
            throw FHIRError(403, code: "forbidden", "The access token does not allow reading \(type), which the Subscription watches")
        }
        return resource
    }

    /// `$status` (the SubscriptionStatus) and `$events` (past notifications by event number, for a receiver
    /// catching up), from the R4 Subscriptions Backport IG.
    func subscriptionOperation(
        _ id: String, _ name: String, _ request: FHIRRequest, _ session: StoreSession, base: String
    ) async throws -> FHIRResponse {
        _ = try require(.read, "Subscription")
        guard let subscriptions else { throw FHIRError(400, code: "not-supported", "Webhooks are not enabled on this server") }
        guard let stored = try await session.read("Subscription", id), !stored.deleted,
              let state = try await session.subscriptionStates(id: id).first
        else {
            throw FHIRError(404, code: "not-found", "Subscription/\(id) is not known")
        }
        let definition: SubscriptionDefinition
        do {
            definition = try SubscriptionDefinition(
                try JSONParser().parse(stored.body.readableBytesView), id: id, versionId: stored.versionId,
                topics: subscriptions.topics, registry: registry, endpoints: subscriptions.endpoints
            )
        } catch {
            throw FHIRError(422, code: "processing", "Subscription/\(id) cannot be used: \(error)")
        }
        let builder = NotificationBuilder(base: base)
        guard name == "$events" else {
            let status = builder.statusParameters(definition, type: "query-status", eventsSinceStart: state.eventsSinceStart, events: [])
            return FHIRResponse(status: 200, body: .json(ByteBuffer(bytes: JSONWriter.bytes(builder.historyBundle([entry(status)])))))
        }
        let query = FormEncoding.pairs(request.queryString)
        let first = try Self.eventNumber(query, "eventsSinceNumber") ?? 1
        let last = try Self.eventNumber(query, "eventsUntilNumber") ?? state.eventsSinceStart
        let content = query.first { $0.name == "content" }?.value ?? definition.payload.rawValue
        let events = try await session.events(subscriptionID: id, from: first, through: last, limit: limits.maximumPageSize)
        var parts: [JSONValue] = []
        var focus: [JSONValue] = []
        for event in events {
            let url = "\(base)/\(event.focusType)/\(event.focusID)"
            parts.append(builder.notificationEvent(event, focus: "\(url)/_history/\(event.focusVersion)"))
            guard content != "empty" else { continue }
            var member: [(String, JSONValue)] = [("fullUrl", .string(url))]
            if content == "full-resource", let version = try await session.read(event.focusType, event.focusID, version: event.focusVersion),
               !version.deleted
            {
                member.append(("resource", try JSONParser().parse(version.body.readableBytesView)))
            }
            focus.append(.object(JSONObject(member)))
        }
        let status = builder.statusParameters(definition, type: "query-event", eventsSinceStart: state.eventsSinceStart, events: parts)
        return FHIRResponse(status: 200, body: .json(ByteBuffer(bytes: JSONWriter.bytes(builder.historyBundle([entry(status)] + focus)))))
    }

    private static func eventNumber(_ query: [(name: String, value: String)], _ name: String) throws -> Int64? {
        guard let text = query.first(where: { $0.name == name })?.value else { return nil }
        guard let number = Int64(text), number >= 0 else {
            throw FHIRError(400, code: "invalid", "\(name) must be a whole number, not '\(text)'")
        }
        return number
    }

    private func entry(_ resource: JSONValue) -> JSONValue {
        .object(JSONObject([("fullUrl", .string("urn:uuid:\(resource["id"]?.stringValue ?? "")")), ("resource", resource)]))
    }
}
