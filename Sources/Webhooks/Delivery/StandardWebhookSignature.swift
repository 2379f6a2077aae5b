import Crypto
import Foundation

/// Signing and verification of webhook bodies per the Standard Webhooks specification.
///
/// The signed content is `<webhook-id>.<webhook-timestamp>.<body>`; a signature is `v1,<base64 HMAC-SHA256>`.
/// The `webhook-signature` header lists one signature per valid secret, space-separated, so a subscriber
/// keeps receiving verifiable deliveries while a secret is rotated.
public enum StandardWebhookSignature {
    /// How far a `webhook-timestamp` may be from the verifier's clock, either way, before it is refused.
    public static let defaultTolerance: Duration = .seconds(5 * 60)

    /// The `webhook-timestamp` text for a moment: whole seconds since 1970.
    public static func timestamp(_ date: Date) -> String {
        String(Int64(date.timeIntervalSince1970.rounded(.down)))
    }

    /// One `v1,<base64>` signature of the body with one secret.
    public static func sign(id: String, timestamp: Date, body: some DataProtocol, secret: WebhookSecret) -> String {
        signature(id: id, timestamp: Self.timestamp(timestamp), body: body, secret: secret)
    }

    /// The `webhook-signature` header value: one signature per secret, in the order given, space-separated.
    public static func header(
        id: String, timestamp: Date, body: some DataProtocol, secrets: [WebhookSecret]
    ) -> String {
        let text = Self.timestamp(timestamp)
        return secrets.map { signature(id: id, timestamp: text, body: body, secret: $0) }.joined(separator: " ")
    }

    /// Checks a received webhook: the headers are present, the timestamp is within `tolerance` of `now`,
    /// and at least one `v1` signature in the header matches the body under one of the secrets.
    ///
    /// Takes the header values as received (absent ones as `nil`) and the body's exact bytes.
    /// Signatures are compared in constant time.
    public static func verify(
        id: String?,
        timestamp: String?,
        body: some DataProtocol,
        signatureHeader: String?,
        secrets: [WebhookSecret],
        now: Date = Date(),
        tolerance: Duration = defaultTolerance
    ) throws(WebhookError) {
        guard let id, !id.isEmpty, let timestamp, !timestamp.isEmpty, let signatureHeader, !signatureHeader.isEmpty
        else {
            throw WebhookError(
                .missingSignature, "the webhook-id, webhook-timestamp and webhook-signature headers are all required")
        }
        guard let seconds = Int64(timestamp) else {
            throw WebhookError(
                .invalidTimestamp, "webhook-timestamp '\(timestamp)' is not a number of seconds since 1970")
        }
        let age = now.timeIntervalSince1970 - Double(seconds)
        let allowed = tolerance.inSeconds
        guard abs(age) <= allowed else {
            let direction = age > 0 ? "old" : "far in the future"
            throw WebhookError(
                .staleTimestamp,
                "webhook-timestamp \(timestamp) is \(Int(abs(age))) s \(direction); "
                    + "at most \(Int(allowed)) s is accepted")
        }
        let received = signatureHeader.split(separator: " ").compactMap(Self.decodeVersion1)
        for secret in secrets {
            let expected = mac(id: id, timestamp: timestamp, body: body, secret: secret)
            if received.contains(where: { expected == $0 }) {
                return
            }
        }
        throw WebhookError(.invalidSignature, "no webhook-signature matches the body with the subscription's secret")
    }

    private static func signature(
        id: String, timestamp: String, body: some DataProtocol, secret: WebhookSecret
    ) -> String {
        let code = mac(id: id, timestamp: timestamp, body: body, secret: secret)
        return "v1," + Data(code).base64EncodedString()
    }

    private static func mac(
        id: String, timestamp: String, body: some DataProtocol, secret: WebhookSecret
    ) -> HashedAuthenticationCode<SHA256> {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: secret.key))
        hmac.update(data: Array("\(id).\(timestamp).".utf8))
        hmac.update(data: body)
        return hmac.finalize()
    }

    /// The bytes of a `v1,<base64>` entry; other versions (such as `v1a`, asymmetric) are skipped.
    private static func decodeVersion1(_ entry: Substring) -> Data? {
        guard entry.hasPrefix("v1,") else { return nil }
        return Data(base64Encoded: String(entry.dropFirst(3)))
    }
}
