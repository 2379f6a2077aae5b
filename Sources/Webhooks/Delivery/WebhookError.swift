/// An error of the Webhooks module: a code to branch on and a message a FHIR client can read.
///
/// Messages become `OperationOutcome` diagnostics, so they say what was wrong in the caller's terms.
public struct WebhookError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What went wrong, to branch on without parsing the message.
    public enum Code: String, Sendable, Hashable {
        /// A signing secret is not `whsec_<base64>` or base64, or is empty.
        case invalidSecret
        /// The `webhook-signature` header, or `webhook-id`/`webhook-timestamp`, is absent or empty.
        case missingSignature
        /// No listed signature matches the body with any of the secrets.
        case invalidSignature
        /// `webhook-timestamp` is not a number of seconds since 1970.
        case invalidTimestamp
        /// `webhook-timestamp` is further in the past or future than the tolerance allows.
        case staleTimestamp
        /// A retry schedule setting could not be read.
        case invalidRetrySchedule
        /// A subscriber endpoint URL is malformed or uses a forbidden form (scheme, credentials, fragment).
        case invalidEndpoint
        /// A subscriber endpoint's host is not on the configured allow-list.
        case endpointNotAllowed
        /// A Subscription or topic cannot be used as written (criteria, channel, payload, filters).
        case invalidSubscription
    }

    /// What went wrong.
    public let code: Code
    /// A sentence for people: the offending value and what is expected instead.
    public let message: String

    /// Makes an error with its code and message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
