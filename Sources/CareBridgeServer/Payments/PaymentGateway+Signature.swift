import Crypto
import Foundation
import HTTPTypes
import Webhooks

extension PaymentGateway {
    /// Checks that `body` was sent by this gateway: its signature headers are present (else 401), its
    /// timestamp is within the tolerance of `now` (else 400), and a signature matches one of the secrets
    /// (else 401). Signatures are compared in constant time; messages never show a secret or a signature.
    func verify(headers: HTTPFields, body: [UInt8], now: Date = Date()) throws(FHIRError) {
        switch scheme {
        case .standardWebhooks:
            do {
                try StandardWebhookSignature.verify(
                    id: Self.header("webhook-id", headers), timestamp: Self.header("webhook-timestamp", headers), body: body,
                    signatureHeader: Self.header("webhook-signature", headers), secrets: keys, now: now,
                    tolerance: .seconds(toleranceSeconds))
            } catch {
                throw Self.refusal(error)
            }
        case .stripe:
            try verifyStripe(Self.header("Stripe-Signature", headers), body: body, now: now)
        }
    }

    /// `Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">[,v1=...]`; other schemes
    /// (`v0`) are skipped.
    private func verifyStripe(_ header: String?, body: [UInt8], now: Date) throws(FHIRError) {
        guard let header, !header.isEmpty else {
            throw Self.refusal(WebhookError(.missingSignature, "the Stripe-Signature header is required"))
        }
        var timestamp: String?
        var signatures: [[UInt8]] = []
        for item in header.split(separator: ",") {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = pair[1] }
            if pair[0] == "v1", let bytes = Self.hexBytes(pair[1]) { signatures.append(bytes) }
        }
        guard let timestamp, !signatures.isEmpty else {
            throw Self.refusal(WebhookError(.missingSignature, "Stripe-Signature needs t= and at least one v1= signature"))
        }
        guard let seconds = Int64(timestamp) else {
            throw Self.refusal(WebhookError(.invalidTimestamp, "the Stripe-Signature timestamp is not a number of seconds since 1970"))
        }
        let age = Int64(now.timeIntervalSince1970.rounded(.down)) - seconds
        guard age.magnitude <= UInt64(toleranceSeconds) else {
            let direction = age > 0 ? "old" : "in the future"
            throw Self.refusal(WebhookError(
                .staleTimestamp, "the Stripe-Signature timestamp is \(age.magnitude) s \(direction); at most \(toleranceSeconds) s is accepted"))
        }
        for key in keys {
            var hmac = HMAC<SHA256>(key: SymmetricKey(data: key.key))
            hmac.update(data: Array("\(timestamp).".utf8))
            hmac.update(data: body)
            let expected = hmac.finalize()
            if signatures.contains(where: { expected == $0 }) { return }
        }
        throw Self.refusal(WebhookError(.invalidSignature, "no Stripe-Signature v1 signature matches the body with the gateway's secrets"))
    }

    /// 401 when the sender is not shown to be the gateway, 400 when the timestamp is unusable: the request
    /// is then refused whoever signed it, and a gateway does not fix that by sending other credentials.
    private static func refusal(_ error: WebhookError) -> FHIRError {
        switch error.code {
        case .invalidTimestamp, .staleTimestamp: return FHIRError(400, code: "invalid", error.message)
        default: return FHIRError(401, code: "security", error.message)
        }
    }

    private static func header(_ name: String, _ headers: HTTPFields) -> String? {
        HTTPField.Name(name).flatMap { headers[$0] }
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
