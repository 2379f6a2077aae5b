/// What one POST to a subscriber's endpoint gave: the status (when a response came), how long it took,
/// the `Retry-After` the receiver asked for, and what went wrong in words.
public struct WebhookAttemptResult: Sendable, Hashable {
    /// The HTTP status of the response, or `nil` when none came (timeout, refused or reset connection).
    public var statusCode: Int?
    /// From sending the request to having read the response, or to the failure.
    public var latency: Duration
    /// The response's `Retry-After` header value as sent, if any.
    public var retryAfter: String?
    /// Why the attempt failed, for the attempt log: `timeout after 10 s`, `connection refused`, `HTTP 503`...
    /// `nil` for a 2xx response.
    public var error: String?

    /// Records an attempt.
    public init(statusCode: Int?, latency: Duration, retryAfter: String? = nil, error: String? = nil) {
        self.statusCode = statusCode
        self.latency = latency
        self.retryAfter = retryAfter
        self.error = error
    }

    /// Whether the receiver took the delivery: a 2xx status. Redirects (3xx) are failures; they are not followed.
    public var isDelivered: Bool {
        statusCode.map { (200..<300).contains($0) } ?? false
    }

    /// The failure in words, for dead-letter reasons and subscription errors.
    public var summary: String {
        if let error { return error }
        return statusCode.map { "HTTP \($0)" } ?? "no response"
    }
}
