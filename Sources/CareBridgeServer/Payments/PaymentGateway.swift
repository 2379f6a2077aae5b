import Foundation
import Webhooks

/// A payment gateway allowed to post notifications to `POST /payments/webhook/{name}`, with how its
/// notifications are signed.
public struct PaymentGateway: Sendable {
    /// How a gateway signs its notifications.
    public enum Scheme: String, Sendable, Hashable, CaseIterable {
        /// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>` over
        /// `id.timestamp.body`, secrets written `whsec_<base64>`.
        case standardWebhooks = "standard-webhooks"
        /// Stripe: `Stripe-Signature: t=<unix>,v1=<hex>` over `t.body`, the secret's text used as the key.
        case stripe
    }

    /// The name in the URL: letters, digits, `-` and `_`.
    public let name: String
    public let scheme: Scheme
    /// The HMAC-SHA256 keys; a notification signed with any of them is accepted, so a secret can be rotated
    /// by listing the new one beside the old one for a while.
    let keys: [WebhookSecret]
    /// How far a notification's timestamp may be from the hub's clock, either way.
    public let toleranceSeconds: Int

    /// The default timestamp tolerance: five minutes, as Standard Webhooks and Stripe suggest.
    public static let defaultToleranceSeconds = 300

    /// A gateway with these secrets (each literal, or `env:NAME` for an environment variable's value).
    public init(
        name: String, scheme: Scheme, secrets: [String], toleranceSeconds: Int = defaultToleranceSeconds,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(HubStartError) {
        guard Self.isValidName(name) else {
            throw HubStartError("gateway name '\(name)' must be 1 to 64 letters, digits, '-' or '_'")
        }
        guard !secrets.isEmpty else { throw HubStartError("gateway '\(name)' lists no secrets") }
        guard toleranceSeconds > 0 else {
            throw HubStartError("gateway '\(name)': toleranceSeconds must be a positive number of seconds")
        }
        var keys: [WebhookSecret] = []
        for (index, secret) in secrets.enumerated() {
            let text = try Self.resolve(secret, gateway: name, index: index, environment: environment)
            switch scheme {
            case .standardWebhooks:
                do {
                    keys.append(try WebhookSecret(encoded: text))
                } catch {
                    throw HubStartError(
                        "gateway '\(name)' secret \(index + 1) is not whsec_<base64> (standard-webhooks secrets are)")
                }
            case .stripe:
                keys.append(WebhookSecret(key: Array(text.utf8)))
            }
        }
        self.name = name
        self.scheme = scheme
        self.keys = keys
        self.toleranceSeconds = toleranceSeconds
    }

    /// The secret's text: itself, or the value of the environment variable `env:NAME` names. Error messages
    /// name the variable, never a secret's value.
    private static func resolve(
        _ secret: String, gateway: String, index: Int, environment: [String: String]
    ) throws(HubStartError) -> String {
        guard secret.hasPrefix("env:") else {
            guard !secret.isEmpty else { throw HubStartError("gateway '\(gateway)' secret \(index + 1) is empty") }
            return secret
        }
        let variable = String(secret.dropFirst(4))
        guard let value = environment[variable], !value.isEmpty else {
            throw HubStartError(
                "gateway '\(gateway)' secret \(index + 1) comes from the environment variable \(variable), which is not set")
        }
        return value
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }
    }
}
