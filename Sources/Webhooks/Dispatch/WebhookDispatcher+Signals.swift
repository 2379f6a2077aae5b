import Foundation
import Logging
import Store

extension WebhookDispatcher {
    /// Shakes hands with every `requested` subscription.
    func handshakes() async {
        for subscription in catalog.requested {
            await handshake(subscription, state: catalog.state(subscription.id))
        }
    }

    /// Sends the handshake of a `requested` subscription: it becomes `active` when the endpoint answers 2xx,
    /// `error` (with the reason in `Subscription.error`) when it does not.
    func handshake(_ subscription: SubscriptionDefinition, state: SubscriptionState?) async {
        guard let state else { return }
        let notification = builder.signal("handshake", subscription: subscription, eventsSinceStart: state.eventsSinceStart)
        let result = await send(
            notification, id: "handshake_\(UUID().uuidString.lowercased())", subscription: subscription, state: state, kind: "handshake"
        )
        do {
            if result.isDelivered {
                try await setStatus(subscription.id, "active", error: nil, expected: "requested")
                try await store.withSession { session in try await session.markSubscriptionNotified(subscription.id) }
            } else {
                try await setStatus(subscription.id, "error", error: "The handshake failed: \(result.summary)", expected: "requested")
            }
        } catch {
            logger.error("subscription status not recorded", metadata: ["subscription": "\(subscription.id)", "error": "\(error)"])
        }
    }

    /// Sends a heartbeat to each active subscription that asked for them and heard nothing for its period.
    func heartbeats(_ states: [String: SubscriptionState]) async {
        let now = Date()
        for subscription in catalog.all where subscription.status == "active" {
            guard let period = subscription.heartbeatPeriod, period > 0, let state = states[subscription.id], !state.paused else { continue }
            let last = state.lastNotifiedAt ?? .distantPast
            guard now.timeIntervalSince(last) >= Double(period) else { continue }
            let notification = builder.signal("heartbeat", subscription: subscription, eventsSinceStart: state.eventsSinceStart)
            let result = await send(
                notification, id: "heartbeat_\(UUID().uuidString.lowercased())", subscription: subscription, state: state, kind: "heartbeat"
            )
            guard result.isDelivered else {
                logger.notice("heartbeat not delivered", metadata: ["subscription": "\(subscription.id)", "error": "\(result.summary)"])
                continue
            }
            try? await store.withSession { session in try await session.markSubscriptionNotified(subscription.id) }
        }
    }
}
