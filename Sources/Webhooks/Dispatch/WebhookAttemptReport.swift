/// One attempt to send a notification, as the dispatcher reports it to `DispatcherSettings.onAttempt`
/// (the hub's audit trail): which subscription and event, where it went, and what came back.
public struct WebhookAttemptReport: Sendable, Hashable {
    /// The Subscription's id.
    public var subscriptionID: String
    /// The event's number in its subscription; nil for a handshake or heartbeat.
    public var eventNumber: Int64?
    /// `event-notification`, `handshake` or `heartbeat`.
    public var kind: String
    /// The endpoint's host.
    public var endpointHost: String
    /// The status, latency and error of the attempt.
    public var result: WebhookAttemptResult

    public init(subscriptionID: String, eventNumber: Int64?, kind: String, endpointHost: String, result: WebhookAttemptResult) {
        self.subscriptionID = subscriptionID
        self.eventNumber = eventNumber
        self.kind = kind
        self.endpointHost = endpointHost
        self.result = result
    }
}
