import Foundation

/// What the hub keeps about a Subscription beside the resource: status mirror, secrets, pause, event counter.
public struct SubscriptionState: Sendable, Hashable {
    public let id: String
    /// The `Subscription.status` last written (`requested`, `active`, `error`, `off`).
    public let status: String
    /// Deliveries are held (events are still recorded) while paused.
    public let paused: Bool
    /// The signing secret (`whsec_...`).
    public let secret: String
    /// The secret it replaced, still valid until `previousSecretExpiresAt`.
    public let previousSecret: String?
    public let previousSecretExpiresAt: Date?
    /// How many events were recorded for it (`eventsSinceSubscriptionStart`).
    public let eventsSinceStart: Int64
    /// When a notification (event, handshake or heartbeat) was last delivered.
    public let lastNotifiedAt: Date?
}

/// An event to put in the outbox: a change that matched a subscription.
public struct OutboxEvent: Sendable, Hashable {
    /// The subscription it is for.
    public var subscriptionID: String
    /// The topic's canonical URL, for topic-based subscriptions.
    public var topic: String?
    public var interaction: ResourceChange.Interaction
    public var focusType: String
    public var focusID: String
    public var focusVersion: Int

    public init(
        subscriptionID: String, topic: String?, interaction: ResourceChange.Interaction, focusType: String, focusID: String,
        focusVersion: Int
    ) {
        self.subscriptionID = subscriptionID
        self.topic = topic
        self.interaction = interaction
        self.focusType = focusType
        self.focusID = focusID
        self.focusVersion = focusVersion
    }
}

/// An event as the outbox holds it.
public struct WebhookEventRecord: Sendable, Hashable {
    /// The outbox row id (global, increasing).
    public let id: Int64
    public let subscriptionID: String
    /// The event's number for its subscription: 1, 2, ... in commit order.
    public let eventNumber: Int64
    public let topic: String?
    public let interaction: String
    public let focusType: String
    public let focusID: String
    public let focusVersion: Int
    public let occurredAt: Date
}

/// Where an event's delivery stands.
public enum DeliveryStatus: String, Sendable, Hashable, CaseIterable {
    case pending, delivered, dead
}

/// An event's delivery.
public struct WebhookDeliveryRecord: Sendable, Hashable {
    public let event: WebhookEventRecord
    /// Stays the same across retries (receivers de-duplicate by it).
    public let webhookID: String
    public let status: DeliveryStatus
    public let attempts: Int
    public let nextAttemptAt: Date
    public let lastError: String?
    public let deliveredAt: Date?
}

/// A delivery claimed for sending, with the version of the resource its event is about (nil when that version
/// is not stored, e.g. after a deletion).
public struct ClaimedDelivery: Sendable {
    public let delivery: WebhookDeliveryRecord
    public let focus: StoredResource?
}

/// One delivery attempt.
public struct WebhookAttemptRecord: Sendable, Hashable {
    public let eventID: Int64
    public let attemptedAt: Date
    public let statusCode: Int?
    public let latencyMilliseconds: Double
    public let error: String?

    public init(eventID: Int64, attemptedAt: Date, statusCode: Int?, latencyMilliseconds: Double, error: String?) {
        self.eventID = eventID
        self.attemptedAt = attemptedAt
        self.statusCode = statusCode
        self.latencyMilliseconds = latencyMilliseconds
        self.error = error
    }
}

/// What an attempt means for its delivery.
public enum DeliveryOutcome: Sendable, Hashable {
    case delivered
    /// Try again after this many seconds.
    case retry(afterSeconds: Double)
    /// Give up: the delivery is dead-lettered.
    case dead
}
