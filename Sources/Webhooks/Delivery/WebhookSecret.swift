import Foundation

/// A subscription's HMAC signing key, shown to subscribers as `whsec_<base64>` (Standard Webhooks).
///
/// The key is random bytes; the text form exists so a subscriber can copy it into their verifier.
public struct WebhookSecret: Sendable, Hashable {
    /// The prefix Standard Webhooks puts before a symmetric secret's base64 text.
    public static let prefix = "whsec_"

    /// The raw HMAC-SHA256 key.
    public let key: [UInt8]

    /// Wraps raw key bytes, for example a payment gateway's shared secret taken as its UTF-8 bytes.
    public init(key: [UInt8]) {
        self.key = key
    }

    /// Reads `whsec_<base64>` or bare base64, padded or not.
    public init(encoded: String) throws(WebhookError) {
        let trimmed = encoded.trimmingCharacters(in: .whitespaces)
        let base64 = trimmed.hasPrefix(Self.prefix) ? String(trimmed.dropFirst(Self.prefix.count)) : trimmed
        let padding = String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard !base64.isEmpty, let data = Data(base64Encoded: base64 + padding) else {
            throw WebhookError(
                .invalidSecret,
                "a webhook secret must be \(Self.prefix) followed by base64, as in \(Self.prefix)MfKQ9r8G...")
        }
        self.key = Array(data)
    }

    /// A new secret of 32 random bytes (the spec asks for at least 24).
    public static func generate() -> WebhookSecret {
        var generator = SystemRandomNumberGenerator()
        return WebhookSecret(key: (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The secret as subscribers see it: `whsec_` and the key in padded base64.
    public var encoded: String {
        Self.prefix + Data(key).base64EncodedString()
    }
}
