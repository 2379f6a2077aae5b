/// How the webhook dispatcher works: polling, batch size, timeouts and retries.
public struct DispatcherSettings: Sendable {
    /// The FHIR base URL notifications refer to resources by.
    public var base: String
    /// How long to wait before looking again when nothing was due; a commit of this process with changes a
    /// subscription may match wakes the dispatcher sooner (`SubscriptionCatalog.committedChanges`).
    public var pollInterval: Duration
    /// The most deliveries in flight at once (at most one per subscription).
    public var concurrency: Int
    /// How many of a subscription's events one slot delivers in a row (each claimed by the statement recording
    /// the one before) before the next goes back to be claimed by any hub process.
    public var chainLength: Int
    /// How many of a subscription's next events a chain claims at once: each is still sent only after the one
    /// before was answered, but the records of the successes are written while the next one is sent.
    public var lookahead: Int
    /// How long a delivery may take when its subscription does not say (`backport-timeout`).
    public var defaultTimeout: Duration
    /// The retry schedule, jitter and longest wait.
    public var retry: RetryPolicy
    /// Told of every attempt to send a notification once it is made (the hub audits deliveries with it).
    /// It runs on the delivery's task, so it must return at once.
    public var onAttempt: (@Sendable (WebhookAttemptReport) -> Void)?

    public init(
        base: String, pollInterval: Duration = .milliseconds(50), concurrency: Int = 64,
        chainLength: Int = 20, lookahead: Int = 8, defaultTimeout: Duration = .seconds(10), retry: RetryPolicy = RetryPolicy(),
        onAttempt: (@Sendable (WebhookAttemptReport) -> Void)? = nil
    ) {
        self.base = base
        self.pollInterval = pollInterval
        self.concurrency = concurrency
        self.chainLength = chainLength
        self.lookahead = max(1, lookahead)
        self.defaultTimeout = defaultTimeout
        self.retry = retry
        self.onAttempt = onAttempt
    }
}
