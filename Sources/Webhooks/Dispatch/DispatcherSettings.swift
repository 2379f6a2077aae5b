/// How the webhook dispatcher works: polling, batch size, timeouts and retries.
public struct DispatcherSettings: Sendable {
    /// The FHIR base URL notifications refer to resources by.
    public var base: String
    /// How long to wait before looking again when nothing was due.
    public var pollInterval: Duration
    /// The most deliveries claimed (and sent concurrently, one per subscription) per round.
    public var batchSize: Int
    /// How long a delivery may take when its subscription does not say (`backport-timeout`).
    public var defaultTimeout: Duration
    /// The retry schedule, jitter and longest wait.
    public var retry: RetryPolicy

    public init(
        base: String, pollInterval: Duration = .milliseconds(200), batchSize: Int = 16,
        defaultTimeout: Duration = .seconds(10), retry: RetryPolicy = RetryPolicy()
    ) {
        self.base = base
        self.pollInterval = pollInterval
        self.batchSize = batchSize
        self.defaultTimeout = defaultTimeout
        self.retry = retry
    }
}
