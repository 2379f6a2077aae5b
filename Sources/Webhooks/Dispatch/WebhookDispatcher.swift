import FHIRCore
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Store

/// Delivers the outbox (issue 5): claims due deliveries with `FOR UPDATE SKIP LOCKED` (so several hub processes
/// share the work), signs and sends them, records every attempt, and retries, dead-letters or stops as the
/// retry policy decides. It also sends handshakes to `requested` subscriptions and heartbeats.
///
/// Up to `settings.concurrency` deliveries are in flight at once, and a freed slot is refilled at once, so a
/// slow endpoint holds back only its own subscription. A slot whose delivery succeeded claims that
/// subscription's next event itself, so a subscription with a backlog does not wait for the claiming loop. Per subscription only the oldest pending event is ever
/// claimed, so events arrive in commit order; an event being retried holds back the later ones. Graceful
/// shutdown stops claiming and lets the deliveries in flight finish.
public struct WebhookDispatcher: Service {
    let store: ResourceStore
    let catalog: SubscriptionCatalog
    let sender: WebhookSender
    let settings: DispatcherSettings
    let builder: NotificationBuilder
    let logger: Logger

    public init(store: ResourceStore, catalog: SubscriptionCatalog, sender: WebhookSender, settings: DispatcherSettings, logger: Logger) {
        self.store = store
        self.catalog = catalog
        self.sender = sender
        self.settings = settings
        self.builder = NotificationBuilder(base: settings.base)
        self.logger = logger
    }

    public func run() async throws {
        var lastHousekeeping = ContinuousClock.now - .seconds(10)
        await withTaskGroup(of: Bool.self) { group in
            var inFlight = 0
            var waiting = false
            // Whether to look for due deliveries when a slot is free: after a wake-up (a commit of this process,
            // or the poll interval), or while the last look filled every free slot (more may be waiting). A
            // chain that ends because its subscription has nothing more due is no reason to look.
            var look = true
            while !Task.isShuttingDownGracefully, !Task.isCancelled {
                if ContinuousClock.now - lastHousekeeping >= .seconds(1) {
                    await housekeeping()
                    lastHousekeeping = .now
                }
                await handshakes()
                let free = settings.concurrency - inFlight
                if free > 0, look {
                    let claimed = await claim(free)
                    for delivery in claimed {
                        group.addTask { await deliver(chain: delivery); return true }
                    }
                    inFlight += claimed.count
                    look = claimed.count == free
                    if !claimed.isEmpty, inFlight < settings.concurrency { continue }
                }
                if !waiting {
                    waiting = true
                    group.addTask { await catalog.committedChanges.wait(upTo: settings.pollInterval); return false }
                }
                if let finished = await group.next() {
                    if finished {
                        inFlight -= 1
                    } else {
                        waiting = false
                        look = true
                    }
                }
            }
            while await group.next() != nil {}
        }
    }

    /// How long a claim is leased: longer than the longest timeout a delivery may take.
    private var leaseSeconds: Double {
        max(settings.defaultTimeout.inSeconds, Double(catalog.longestTimeout ?? 0)) + 30
    }

    /// Claims up to `limit` due deliveries.
    private func claim(_ limit: Int) async -> [ClaimedDelivery] {
        do {
            let claimed = try await store.withSession { session in
                try await session.claimDueDeliveries(limit: limit, leaseSeconds: leaseSeconds)
            }
            if claimed.contains(where: { catalog.subscription($0.delivery.event.subscriptionID) == nil }) {
                try await catalog.refresh(using: store)
            }
            return claimed
        } catch {
            logger.error("webhook deliveries not claimed", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// Once a second: reload the subscriptions if they changed, and send the heartbeats that are due.
    private func housekeeping() async {
        do {
            try await catalog.refresh(using: store)
            let states = try await store.withSession { session in try await session.subscriptionStates() }
            await heartbeats(Dictionary(states.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }))
        } catch {
            logger.error("webhook housekeeping failed", metadata: ["error": "\(error)"])
        }
    }

    /// Delivers `first`, then, while each delivery succeeds, the same subscription's next due event (claimed by
    /// the statement that records the success), up to `settings.chainLength` deliveries: then the
    /// subscription's next event goes back to be claimed by whichever hub process looks first, so that
    /// several processes share a backlog.
    private func deliver(chain first: ClaimedDelivery) async {
        var next: ClaimedDelivery? = first
        var delivered = 0
        while let claimed = next, !Task.isShuttingDownGracefully {
            delivered += 1
            next = await deliver(claimed, claimingNext: delivered < settings.chainLength)
        }
    }

    /// Sends one delivery and records the attempt; when it was delivered and `claimingNext`, returns the
    /// subscription's next due delivery, claimed by the same statement (nil when there is none).
    private func deliver(_ claimed: ClaimedDelivery, claimingNext: Bool) async -> ClaimedDelivery? {
        let delivery = claimed.delivery
        let event = delivery.event
        do {
            guard let subscription = catalog.subscription(event.subscriptionID), let state = catalog.state(event.subscriptionID) else {
                throw WebhookError(.invalidSubscription, "Subscription/\(event.subscriptionID) is not usable")
            }
            let focus = claimed.focus
            let notification = try builder.event(event, focus: focus, subscription: subscription, eventsSinceStart: event.eventNumber)
            let result = await send(
                notification, id: delivery.webhookID, subscription: subscription, state: state, kind: "event-notification",
                eventNumber: event.eventNumber
            )
            let decision = settings.retry.decide(afterAttempt: delivery.attempts + 1, result: result)
            return try await record(delivery, result: result, decision: decision, subscription: subscription, claimingNext: claimingNext)
        } catch {
            logger.error("webhook delivery failed", metadata: ["event": "\(event.id)", "error": "\(error)"])
            let result = WebhookAttemptResult(statusCode: nil, latency: .zero, error: "\(error)")
            try? await store.withSession { session in
                try await session.recordAttempt(attempt(delivery, result), outcome: .retry(afterSeconds: 60))
            }
            return nil
        }
    }

    /// Records the attempt; after a success and with `claimingNext`, claims and returns the subscription's next
    /// due delivery.
    private func record(
        _ delivery: WebhookDeliveryRecord, result: WebhookAttemptResult, decision: DeliveryDecision, subscription: SubscriptionDefinition,
        claimingNext: Bool
    ) async throws -> ClaimedDelivery? {
        let outcome: DeliveryOutcome
        var statusChange: (status: String, reason: String)?
        switch decision {
        case .delivered where !claimingNext:
            outcome = .delivered
        case .delivered:
            let lease = leaseSeconds
            return try await store.withSession { session in
                try await session.recordDelivery(attempt(delivery, result), claimingNextFor: lease)
            }
        case .retry(let after): outcome = .retry(afterSeconds: after.inSeconds)
        case .deadLetter(let reason):
            outcome = .dead
            statusChange = ("error", "Event \(delivery.event.eventNumber) was dead-lettered: \(reason)")
        case .gone(let reason):
            outcome = .dead
            statusChange = ("off", reason)
        }
        try await store.withSession { session in try await session.recordAttempt(attempt(delivery, result), outcome: outcome) }
        if let statusChange {
            logger.warning("subscription stopped", metadata: ["subscription": "\(subscription.id)", "reason": "\(statusChange.reason)"])
            try await setStatus(subscription.id, statusChange.status, error: statusChange.reason)
        }
        return nil
    }

    private func attempt(_ delivery: WebhookDeliveryRecord, _ result: WebhookAttemptResult) -> WebhookAttemptRecord {
        WebhookAttemptRecord(
            eventID: delivery.event.id, attemptedAt: Date(), statusCode: result.statusCode,
            latencyMilliseconds: result.latency.inSeconds * 1000, error: result.error
        )
    }

    /// Signs and sends `notification` with the subscription's valid secrets and its own headers.
    /// `kind` and `eventNumber` say what it is, for `settings.onAttempt`.
    func send(
        _ notification: Notification, id: String, subscription: SubscriptionDefinition, state: SubscriptionState,
        kind: String, eventNumber: Int64? = nil
    ) async -> WebhookAttemptResult {
        let secrets = ([state.secret] + [state.previousSecret].compactMap { $0 }).compactMap { try? WebhookSecret(encoded: $0) }
        var headers = StandardWebhookHeaders.make(
            id: id, timestamp: Date(), body: notification.body, secrets: secrets, contentType: notification.contentType
        )
        headers += subscription.headers.map { ($0.name, $0.value) }
        let timeout = subscription.timeout.map { Duration.seconds($0) } ?? settings.defaultTimeout
        let result = await sender.send(
            method: notification.method, url: notification.url, headers: headers, body: notification.body, timeout: timeout
        )
        settings.onAttempt?(WebhookAttemptReport(
            subscriptionID: subscription.id, eventNumber: eventNumber, kind: kind, endpointHost: notification.url.host ?? "",
            result: result
        ))
        return result
    }

    /// Writes `status` (and `error`) on the Subscription resource and reloads the subscriptions.
    func setStatus(_ id: String, _ status: String, error: String?, expected: String? = nil) async throws {
        try await store.setSubscriptionStatus(id, status, error: error, expected: expected)
        try await catalog.refresh(using: store)
    }
}
