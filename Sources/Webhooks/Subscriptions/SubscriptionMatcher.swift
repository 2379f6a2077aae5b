import FHIRCore
import Foundation
import Logging
import NIOCore
import Store

/// Turns the changes of each transaction into outbox events for the subscriptions they concern, in that
/// transaction (the store's `ChangeObserver`). Subscription changes themselves update the subscription state.
public struct SubscriptionMatcher: ChangeObserver {
    public let catalog: SubscriptionCatalog
    private let reload: @Sendable () -> Void

    /// A matcher over `catalog`; `reload` is called after a Subscription change commits.
    public init(catalog: SubscriptionCatalog, reload: @escaping @Sendable () -> Void) {
        self.catalog = catalog
        self.reload = reload
    }

    public func observes(_ resourceType: String) -> Bool {
        resourceType == "Subscription" || catalog.hasMatching(resourceType)
    }

    public func record(_ changes: [ResourceChange], in session: StoreSession) async throws {
        var events: [OutboxEvent] = []
        for change in changes {
            if change.resourceType == "Subscription" {
                try await saveState(change, in: session)
                continue
            }
            let previous = try Self.json(change.previous)
            let current = change.interaction == .delete ? nil : try Self.json(change.current)
            for subscription in catalog.matching(change.resourceType) where subscription.isMatching() {
                guard try await concerns(subscription, change, previous: previous, current: current, in: session) else { continue }
                events.append(OutboxEvent(
                    subscriptionID: subscription.id, topic: subscription.topicURL, interaction: change.interaction, focusType: change.resourceType,
                    focusID: change.current.id, focusVersion: change.current.versionId
                ))
            }
        }
        try await session.appendEvents(events)
    }

    public func committed(_ changes: [ResourceChange]) {
        if changes.contains(where: { $0.resourceType == "Subscription" }) { reload() }
        if changes.contains(where: { catalog.hasMatching($0.resourceType) }) { catalog.committedChanges.signal() }
    }

    private func concerns(
        _ subscription: SubscriptionDefinition, _ change: ResourceChange, previous: JSONValue?, current: JSONValue?,
        in session: StoreSession
    ) async throws -> Bool {
        if let access = subscription.access,
           !SubscriptionAccess.permits(access, current ?? previous, type: change.resourceType, compartment: catalog.compartment) {
            return false
        }
        switch subscription.kind {
        case .criteria(let query):
            guard change.interaction != .delete else { return false }
            return try await session.resourceMatches(query, id: change.current.id)
        case .topic(let topic, let filters):
            guard try topic.fires(
                interaction: change.interaction.rawValue, resourceType: change.resourceType, previous: previous, current: current
            ) else { return false }
            for filter in filters where filter.resourceType == change.resourceType {
                guard change.interaction != .delete, try await session.resourceMatches(filter, id: change.current.id) else { return false }
            }
            return true
        }
    }

    private func saveState(_ change: ResourceChange, in session: StoreSession) async throws {
        let status = change.interaction == .delete ? "off" : (try Self.json(change.current)?["status"]?.stringValue ?? "requested")
        try await session.saveSubscriptionState(id: change.current.id, status: status, secret: WebhookSecret.generate().encoded)
    }

    static func json(_ stored: StoredResource?) throws -> JSONValue? {
        guard let stored, !stored.deleted else { return nil }
        return try JSONParser().parse(stored.body.readableBytesView)
    }
}
