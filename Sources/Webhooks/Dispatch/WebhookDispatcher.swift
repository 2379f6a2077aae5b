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

    /// Delivers `first`, then, while each delivery succeeds, the same subscription's next due events, up to
    /// `settings.chainLength` in all: then the subscription's next event goes back to be claimed by whichever
    /// hub process looks first, so that several processes share a backlog.
    ///
    /// Each event is sent only after the one before was answered, so they arrive in order. The next events are
    /// claimed `settings.lookahead` at a time by the statement that records the last success; the successes in
    /// between are recorded while the following event is being sent. Before claiming more, recording a
    /// failure or ending, the chain waits for those records; events it claimed but did not send are given back.
    private func deliver(chain first: ClaimedDelivery) async {
        var queue: ArraySlice<ClaimedDelivery> = [first]
        var delivered = 0
        await withTaskGroup(of: Void.self) { records in
            while let claimed = queue.first, !Task.isShuttingDownGracefully {
                queue = queue.dropFirst()
                delivered += 1
                guard let (result, decision) = await attempt(claimed) else { break }
                guard case .delivered = decision else {
                    await records.waitForAll()
                    await record(claimed.delivery, result: result, decision: decision)
                    break
                }
                if queue.isEmpty, delivered < settings.chainLength {
                    await records.waitForAll()  // the claim must not find these still pending
                    queue = await recordClaimingNext(claimed.delivery, result: result, limit: min(settings.lookahead, settings.chainLength - delivered))[...]
                } else {
                    records.addTask { await record(claimed.delivery, result: result, decision: decision) }
                }
            }
            await records.waitForAll()
        }
        await release(queue)
    }

    /// Sends one claimed delivery; returns what came of it and what the retry policy makes of that, or nil when
    /// it could not even be sent (then a retry in a minute is recorded).
    private func attempt(_ claimed: ClaimedDelivery) async -> (WebhookAttemptResult, DeliveryDecision)? {
        let delivery = claimed.delivery
        let event = delivery.event
        do {
            guard let subscription = catalog.subscription(event.subscriptionID), let state = catalog.state(event.subscriptionID) else {
                throw WebhookError(.invalidSubscription, "Subscription/\(event.subscriptionID) is not usable")
            }
            let notification = try builder.event(event, focus: claimed.focus, subscription: subscription, eventsSinceStart: event.eventNumber)
            let result = await send(
                notification, id: delivery.webhookID, subscription: subscription, state: state, kind: "event-notification",
                eventNumber: event.eventNumber
            )
            return (result, settings.retry.decide(afterAttempt: delivery.attempts + 1, result: result))
        } catch {
            logger.error("webhook delivery failed", metadata: ["event": "\(event.id)", "error": "\(error)"])
            let result = WebhookAttemptResult(statusCode: nil, latency: .zero, error: "\(error)")
            await record(delivery, result: result, decision: .retry(after: .seconds(60)))
            return nil
        }
    }

    /// Records a success and claims up to `limit` of the subscription's next due deliveries.
    private func recordClaimingNext(_ delivery: WebhookDeliveryRecord, result: WebhookAttemptResult, limit: Int) async -> [ClaimedDelivery] {
        do {
            let lease = leaseSeconds
            return try await store.withSession { session in
                try await session.recordDelivery(attempt(delivery, result), claimingNext: limit, leaseSeconds: lease)
            }
        } catch {
            logger.error("webhook delivery not recorded", metadata: ["event": "\(delivery.event.id)", "error": "\(error)"])
            return []
        }
    }

    /// Records an attempt with the outcome `decision` gives it; a dead letter or a `410 Gone` also stops the
    /// subscription (`error` or `off`).
    private func record(_ delivery: WebhookDeliveryRecord, result: WebhookAttemptResult, decision: DeliveryDecision) async {
        let outcome: DeliveryOutcome
        var statusChange: (status: String, reason: String)?
        switch decision {
        case .delivered: outcome = .delivered
        case .retry(let after): outcome = .retry(afterSeconds: after.inSeconds)
        case .deadLetter(let reason):
            outcome = .dead
            statusChange = ("error", "Event \(delivery.event.eventNumber) was dead-lettered: \(reason)")
        case .gone(let reason):
            outcome = .dead
            statusChange = ("off", reason)
        }
        do {
            try await store.withSession { session in try await session.recordAttempt(attempt(delivery, result), outcome: outcome) }
            if let statusChange {
                let subscription = delivery.event.subscriptionID
                logger.warning("subscription stopped", metadata: ["subscription": "\(subscription)", "reason": "\(statusChange.reason)"])
                try await setStatus(subscription, statusChange.status, error: statusChange.reason)
            }
        } catch {
            logger.error("webhook attempt not recorded", metadata: ["event": "\(delivery.event.id)", "error": "\(error)"])
        }
    }

    /// Gives back deliveries a chain claimed but did not send, so they need not wait for their lease to end.
    private func release(_ unsent: ArraySlice<ClaimedDelivery>) async {
        guard !unsent.isEmpty else { return }
        do {
            try await store.withSession { session in try await session.releaseLeases(unsent.map(\.delivery.event.id)) }
        } catch {
            logger.error("webhook leases not released", metadata: ["error": "\(error)"])
        }
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
