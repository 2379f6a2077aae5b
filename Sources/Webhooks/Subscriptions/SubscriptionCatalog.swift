import FHIRCore
import FHIRProfiles
import Foundation
import Logging
import NIOCore
import Store
import Synchronization

/// The subscriptions this hub process knows, kept in memory so that every write can ask cheaply whether it
/// may concern one. Reloaded whenever the database's subscription generation changes (checked by
/// `SubscriptionCatalogRefresher` every second, and at once after a Subscription is written here).
public final class SubscriptionCatalog: Sendable {
    struct Snapshot {
        var generation: Int64 = -1
        var byID: [String: SubscriptionDefinition] = [:]
        var states: [String: SubscriptionState] = [:]
        var matchingByType: [String: [SubscriptionDefinition]] = [:]
        var requested: [SubscriptionDefinition] = []
    }

    public let topics: TopicCatalog
    let registry: ProfileRegistry
    /// Membership of the Patient compartment, for subscribers confined to one patient.
    let compartment: PatientCompartment
    /// Which subscriber endpoints are allowed.
    public let endpoints: EndpointPolicy
    /// Signalled when this process commits changes subscriptions may match; the dispatcher waits on it.
    public let committedChanges = DeliveryWakeUp()
    private let snapshot = Mutex(Snapshot())
    private let store = Mutex<ResourceStore?>(nil)
    private let logger: Logger

    public init(topics: TopicCatalog, registry: ProfileRegistry, endpoints: EndpointPolicy, logger: Logger) {
        self.topics = topics
        self.registry = registry
        self.compartment = PatientCompartment(registry: registry)
        self.endpoints = endpoints
        self.logger = logger
    }

    /// The generation last loaded (-1 before the first load).
    public var generation: Int64 { snapshot.withLock { $0.generation } }

    /// The subscriptions that match changes to `resourceType` now.
    public func matching(_ resourceType: String) -> [SubscriptionDefinition] {
        snapshot.withLock { $0.matchingByType[resourceType] ?? [] }
    }

    /// Whether any subscription matches changes to `resourceType` now.
    public func hasMatching(_ resourceType: String) -> Bool {
        snapshot.withLock { $0.matchingByType[resourceType] != nil }
    }

    /// The subscription `id`, whatever its status.
    public func subscription(_ id: String) -> SubscriptionDefinition? {
        snapshot.withLock { $0.byID[id] }
    }

    /// The state of subscription `id` as last loaded: its secrets and pause switch are current (changing them
    /// changes the generation); its counters and last notification time may lag.
    public func state(_ id: String) -> SubscriptionState? {
        snapshot.withLock { $0.states[id] }
    }

    /// The longest delivery timeout any subscription asks for (`backport-timeout`), in seconds.
    public var longestTimeout: Int? {
        snapshot.withLock { $0.byID.values.compactMap(\.timeout).max() }
    }

    /// The subscriptions waiting for their handshake (asked on every dispatcher round, so kept ready).
    public var requested: [SubscriptionDefinition] {
        snapshot.withLock { $0.requested }
    }

    /// Every known subscription.
    public var all: [SubscriptionDefinition] {
        snapshot.withLock { Array($0.byID.values) }.sorted { $0.id < $1.id }
    }

    /// Gives the catalog the store `requestRefresh` reads from (the store is built with the catalog's matcher,
    /// so it cannot be passed at `init`).
    public func attach(_ store: ResourceStore) {
        self.store.withLock { $0 = store }
    }

    /// Reloads soon, in the background (after a Subscription was written by this process).
    public func requestRefresh() {
        guard let store = store.withLock({ $0 }) else { return }
        Task { [logger] in
            do {
                try await refresh(using: store)
            } catch {
                logger.error("subscriptions not reloaded", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Reads the subscriptions again when the database's generation differs from the one loaded.
    public func refresh(using store: ResourceStore) async throws {
        let (current, loaded, states) = try await store.withSession { session in
            let generation = try await session.subscriptionGeneration()
            guard generation != self.generation else { return (generation, [SubscriptionDefinition]?.none, [SubscriptionState]()) }
            var loaded: [SubscriptionDefinition] = []
            let states = try await session.subscriptionStates()
            for state in states {
                guard let stored = try await session.read("Subscription", state.id), !stored.deleted else { continue }
                do {
                    let json = try JSONParser().parse(stored.body.readableBytesView)
                    loaded.append(try SubscriptionDefinition(
                        json, id: state.id, versionId: stored.versionId, topics: topics, registry: registry, endpoints: endpoints
                    ))
                } catch {
                    logger.warning("subscription not usable", metadata: ["id": "\(state.id)", "error": "\(error)"])
                }
            }
            return (generation, loaded, states)
        }
        guard let loaded else { return }
        var next = Snapshot(generation: current)
        next.states = Dictionary(states.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        next.requested = loaded.filter { $0.status == "requested" }.sorted { $0.id < $1.id }
        for definition in loaded {
            next.byID[definition.id] = definition
            guard definition.isMatching() else { continue }
            for type in definition.resourceTypes { next.matchingByType[type, default: []].append(definition) }
        }
        snapshot.withLock { $0 = next }
    }
}
