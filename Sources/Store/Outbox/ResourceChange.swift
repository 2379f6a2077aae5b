import Synchronization

/// One change to a resource made by a transaction: what the outbox turns into events.
public struct ResourceChange: Sendable {
    /// The FHIR interaction that made the change.
    public enum Interaction: String, Sendable, Hashable {
        case create, update, delete
    }

    public let interaction: Interaction
    /// The version before the change; nil for a create.
    public let previous: StoredResource?
    /// The version the change wrote (a deletion for `delete`).
    public let current: StoredResource

    public init(interaction: Interaction, previous: StoredResource?, current: StoredResource) {
        self.interaction = interaction
        self.previous = previous
        self.current = current
    }

    public var resourceType: String { current.resourceType }
}

/// Turns the changes of a transaction into outbox rows written in that same transaction, just before it
/// commits: no event without its change, no change without its events.
public protocol ChangeObserver: Sendable {
    /// Whether a change to a resource of `resourceType` may concern this observer; asked on every write, so it
    /// must be cheap (an in-memory lookup). Writes it does not observe cost nothing more.
    func observes(_ resourceType: String) -> Bool

    /// Writes what `changes` cause with `session`, inside the transaction that made them. Throwing rolls the
    /// whole transaction back. `session` does not report its own writes to any observer.
    func record(_ changes: [ResourceChange], in session: StoreSession) async throws

    /// Told after the transaction that made `changes` has committed (e.g. to reload a cache).
    func committed(_ changes: [ResourceChange])
}

/// The observed changes of one transaction, collected until it commits.
final class ChangeJournal: Sendable {
    private let changes = Mutex<[ResourceChange]>([])

    func append(_ change: ResourceChange) {
        changes.withLock { $0.append(change) }
    }

    /// The changes collected so far, leaving the journal empty.
    func drain() -> [ResourceChange] {
        changes.withLock { collected in
            defer { collected = [] }
            return collected
        }
    }
}
