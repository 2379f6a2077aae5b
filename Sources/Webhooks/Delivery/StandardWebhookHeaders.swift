import Foundation

/// The header names of the Standard Webhooks specification, and the header list of one signed delivery.
public enum StandardWebhookHeaders {
    /// The event's identifier, the same on every retry so receivers can de-duplicate.
    public static let id = "webhook-id"
    /// The attempt's time, whole seconds since 1970.
    public static let timestamp = "webhook-timestamp"
    /// The space-separated `v1,<base64>` signatures.
    public static let signature = "webhook-signature"
    /// The body's media type.
    public static let contentType = "content-type"

    /// The headers of one delivery attempt, signed with every secret given (current first, then the one being
    /// rotated out), as `(name, value)` pairs ready for an HTTP request.
    ///
    /// `timestamp` is the attempt's time, not the event's: it changes on each retry while `id` does not.
    public static func make(
        id: String,
        timestamp: Date,
        body: some DataProtocol,
        secrets: [WebhookSecret],
        contentType: String
    ) -> [(String, String)] {
        let signature = StandardWebhookSignature.header(id: id, timestamp: timestamp, body: body, secrets: secrets)
        return [
            (Self.id, id),
            (Self.timestamp, StandardWebhookSignature.timestamp(timestamp)),
            (Self.signature, signature),
            (Self.contentType, contentType),
        ]
    }
}
