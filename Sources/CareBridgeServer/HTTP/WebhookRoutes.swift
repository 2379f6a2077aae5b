import Authorization
import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import Store
import Webhooks

/// Operating outbound webhooks (issue 5), under `/webhooks`: deliveries and attempts per subscription,
/// re-sending dead letters, pausing and resuming, and the signing secret with its rotation.
struct WebhookRoutes: Sendable {
    let store: ResourceStore
    let catalog: SubscriptionCatalog

    func add(to router: Router<HubRequestContext>) {
        let group = router.group("webhooks/subscriptions").add(middleware: HubScopeMiddleware(scope: HubScope.admin))
        group.get { _, _ in try await subscriptions() }
        group.get(":id/deliveries") { request, context in try await deliveries(request, context) }
        group.get(":id/deliveries/:event") { _, context in try await delivery(context) }
        group.post(":id/deliveries/:event/$resend") { _, context in try await resend(context, one: true) }
        group.post(":id/$resend") { _, context in try await resend(context, one: false) }
        group.post(":id/$pause") { _, context in try await pause(context, true) }
        group.post(":id/$resume") { _, context in try await pause(context, false) }
        group.get(":id/secret") { _, context in try await secret(context) }
        group.post(":id/$rotate-secret") { request, context in try await rotate(request, context) }
    }

    private func subscriptions() async throws -> Response {
        let states = try await store.withSession { session in try await session.subscriptionStates() }
        return IngestRoutes.json(.object(JSONObject([("subscriptions", .array(states.map(\.json)))])), status: .ok, fhir: false)
    }

    private func deliveries(_ request: Request, _ context: HubRequestContext) async throws -> Response {
        let id = try Self.parameter("id", context)
        let query = request.uri.queryParameters
        var status: DeliveryStatus?
        if let text = query.get("status") {
            guard let value = DeliveryStatus(rawValue: text) else {
                throw FHIRError(400, code: "invalid", "status must be one of pending, delivered, dead")
            }
            status = value
        }
        let limit = try Self.number(query.get("_count"), name: "_count", default: 50, maximum: 1000)
        let offset = try Self.number(query.get("_offset"), name: "_offset", default: 0, maximum: Int.max)
        let found = try await store.withSession { session in
            try await session.deliveries(subscriptionID: id, status: status, limit: limit, offset: offset)
        }
        return IngestRoutes.json(.object(JSONObject([("deliveries", .array(found.map(\.json)))])), status: .ok, fhir: false)
    }

    private func delivery(_ context: HubRequestContext) async throws -> Response {
        let id = try Self.parameter("id", context)
        let event = try Self.eventID(context)
        let (found, attempts) = try await store.withSession { session in
            (try await session.delivery(eventID: event), try await session.attempts(eventID: event))
        }
        guard let found, found.event.subscriptionID == id else {
            throw FHIRError(404, code: "not-found", "Subscription/\(id) has no delivery \(event)")
        }
        var json = found.json
        if case .object(var members) = json {
            members["attempts"] = .array(attempts.map(\.json))
            json = .object(members)
        }
        return IngestRoutes.json(json, status: .ok, fhir: false)
    }

    private func resend(_ context: HubRequestContext, one: Bool) async throws -> Response {
        let id = try Self.parameter("id", context)
        let event = one ? try Self.eventID(context) : nil
        let count = try await store.withSession { session in
            try await session.resendDeadDeliveries(subscriptionID: id, eventID: event)
        }
        if one, count == 0 { throw FHIRError(404, code: "not-found", "Subscription/\(id) has no dead-lettered delivery \(event ?? 0)") }
        return IngestRoutes.json(.object(JSONObject([("resent", .number(String(count)))])), status: .ok, fhir: false)
    }

    private func pause(_ context: HubRequestContext, _ paused: Bool) async throws -> Response {
        let id = try Self.parameter("id", context)
        guard try await store.withSession({ session in try await session.setSubscriptionPaused(id, paused) }) else {
            throw FHIRError(404, code: "not-found", "Subscription/\(id) is not known")
        }
        if !paused, catalog.subscription(id)?.status == "error" {
            // Back to `requested`, so the dispatcher shakes hands and resumes it.
            try await store.setSubscriptionStatus(id, "requested", error: nil)
        }
        return try await state(id)
    }

    private func secret(_ context: HubRequestContext) async throws -> Response {
        try await state(try Self.parameter("id", context), withSecrets: true)
    }

    /// Makes a new secret (or the one given as `{"secret": "whsec_..."}`); the old one keeps signing for
    /// `overlapSeconds` (default a day), so receivers can switch without missing a delivery.
    private func rotate(_ request: Request, _ context: HubRequestContext) async throws -> Response {
        let id = try Self.parameter("id", context)
        let body = try await request.body.collect(upTo: 64 * 1024)
        var secret = WebhookSecret.generate()
        var overlap = 86_400.0
        if body.readableBytes > 0 {
            let json = try JSONParser().parse(body.readableBytesView)
            if let text = json["secret"]?.stringValue {
                do {
                    secret = try WebhookSecret(encoded: text)
                } catch {
                    throw FHIRError(400, code: "invalid", "secret: \(error.message)")
                }
            }
            if let seconds = json["overlapSeconds"]?.numberText.flatMap(Double.init) { overlap = max(0, seconds) }
        }
        guard try await store.withSession({ session in
            try await session.rotateSubscriptionSecret(id, to: secret.encoded, overlapSeconds: overlap)
        }) else {
            throw FHIRError(404, code: "not-found", "Subscription/\(id) is not known")
        }
        try await catalog.refresh(using: store)
        return try await state(id, withSecrets: true)
    }

    private func state(_ id: String, withSecrets: Bool = false) async throws -> Response {
        guard let state = try await store.withSession({ session in try await session.subscriptionStates(id: id) }).first else {
            throw FHIRError(404, code: "not-found", "Subscription/\(id) is not known")
        }
        var json = state.json
        if withSecrets, case .object(var members) = json {
            members["secret"] = .string(state.secret)
            if let previous = state.previousSecret, let until = state.previousSecretExpiresAt {
                members["previousSecret"] = .string(previous)
                members["previousSecretValidUntil"] = .string(FHIRInstant.string(from: until))
            }
            json = .object(members)
        }
        return IngestRoutes.json(json, status: .ok, fhir: false)
    }

    private static func parameter(_ name: String, _ context: HubRequestContext) throws -> String {
        guard let value = context.parameters.get(name), FHIRResource.isValidID(value) else {
            throw FHIRError(400, code: "invalid", "'\(context.parameters.get(name) ?? "")' is not a Subscription id")
        }
        return value
    }

    private static func eventID(_ context: HubRequestContext) throws -> Int64 {
        guard let text = context.parameters.get("event"), let id = Int64(text) else {
            throw FHIRError(400, code: "invalid", "A delivery is named by its event id, a number")
        }
        return id
    }

    private static func number(_ text: String?, name: String, default value: Int, maximum: Int) throws -> Int {
        guard let text else { return value }
        guard let number = Int(text), number >= 0 else { throw FHIRError(400, code: "invalid", "\(name) must be a whole number") }
        return min(number, maximum)
    }
}
