import CareBridgeServer
import Crypto
import EmbeddedPostgres
import FHIRCore
import Foundation
import HummingbirdTesting
import Logging
import PostgresNIO
import Store
import Testing
import Webhooks

/// The secrets and gateways file the payment tests configure.
enum PaymentFixture {
    /// The `acme` gateway's current Standard Webhooks secret, and the one it replaced (both accepted).
    static let secret = WebhookSecret(key: Array(repeating: 7, count: 32))
    static let previousSecret = WebhookSecret(key: Array(1...32))
    /// A secret no gateway has.
    static let wrongSecret = WebhookSecret(key: Array(repeating: 9, count: 32))
    /// The `stripe` gateway's signing secret, used as text.
    static let stripeSecret = "whsec_test_stripe_0123456789abcdef"

    static let gatewaysJSON = """
        {"gateways": [
          {"name": "acme", "scheme": "standard-webhooks", "secrets": ["\(secret.encoded)", "\(previousSecret.encoded)"]},
          {"name": "stripe", "scheme": "stripe", "secrets": ["\(stripeSecret)"], "toleranceSeconds": 300}
        ]}
        """

    /// A neutral `payment.succeeded` event (or another `type`) as JSON text.
    static func event(
        id: String, invoice: String, value: String, currency: String = "EUR", type: String = "payment.succeeded"
    ) -> String {
        #"{"id":"\#(id)","type":"\#(type)","invoice":"\#(invoice)","amount":{"value":"\#(value)","currency":"\#(currency)"},"#
            + #""paidAt":"2026-11-23T10:00:00Z","paymentReference":"pi_\#(id)"}"#
    }

    /// A Stripe `payment_intent.succeeded` event for `invoice`.
    static func stripeEvent(id: String, invoice: String, minorUnits: Int, currency: String) -> String {
        #"{"id":"\#(id)","object":"event","type":"payment_intent.succeeded","created":1795860000,"#
            + #""data":{"object":{"id":"pi_\#(id)","object":"payment_intent","amount":\#(minorUnits),"#
            + #""amount_received":\#(minorUnits),"currency":"\#(currency)","metadata":{"invoice":"\#(invoice)"}}}}"#
    }

    /// An Invoice as JSON text, with `totalGross` when `total` is given, else one priced line item per
    /// entry of `lines`.
    static func invoice(
        total: String? = nil, lines: [String] = [], currency: String = "EUR", status: String = "issued", issuer: Bool = true
    ) -> String {
        var members = [#""resourceType":"Invoice""#, #""status":"\#(status)""#, #""subject":{"reference":"Patient/p1"}"#]
        if issuer { members.append(#""issuer":{"reference":"Organization/clinic"}"#) }
        if !lines.isEmpty {
            let items = lines.enumerated().map { index, value in
                #"{"sequence":\#(index + 1),"chargeItemCodeableConcept":{"text":"charge"},"priceComponent":[{"type":"base","amount":{"value":\#(value),"currency":"\#(currency)"}}]}"#
            }
            members.append(#""lineItem":[\#(items.joined(separator: ","))]"#)
        }
        if let total { members.append(#""totalGross":{"value":\#(total),"currency":"\#(currency)"}"#) }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// `Stripe-Signature` for `body`: `t=<seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
    static func stripeSignature(_ body: String, secret: String = stripeSecret, at date: Date = Date()) -> String {
        let t = StandardWebhookSignature.timestamp(date)
        let code = HMAC<SHA256>.authenticationCode(for: Array("\(t).\(body)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return "t=\(t),v1=" + code.map { String(format: "%02x", $0) }.joined()
    }
}

extension Hub {
    /// Runs `test` against the hub with `PaymentFixture.gatewaysJSON` configured, over a new database.
    static func runWithPayments<T: Sendable>(
        gateways: String = PaymentFixture.gatewaysJSON, _ test: @Sendable (Hub) async throws -> T
    ) async throws -> T {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("payment-gateways-\(UUID().uuidString).json")
        try Data(gateways.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (cluster, name) = try ThrowawayCluster.makeDatabase(prefix: "payments")
        let location = DatabaseLocation(socketPath: cluster.socketPath, user: EmbeddedCluster.superuser, database: name)
        var logger = Logger(label: "carebridge.test")
        logger.logLevel = .critical
        let postgres = PostgresClient(configuration: location.configuration, backgroundLogger: logger)
        var configuration = HubConfiguration(
            httpPort: 0, profilesDirectory: TestPaths.profilesDirectory.path,
            mappingsDirectory: TestPaths.repositoryRoot.appendingPathComponent("mappings").path, maximumBodySize: 1 << 20,
            insecureDevelopment: true)
        configuration.paymentGatewaysFile = file.path
        let app = try buildApplication(configuration: configuration, database: HubDatabase(client: postgres, cluster: nil), logger: logger)
        return try await app.test(.router) { client in
            try await test(Hub(client: client, database: postgres))
        }
    }

    /// Posts `body` to gateway `gateway` signed the Standard Webhooks way with `secrets` at `date`.
    func notify(
        _ body: String, gateway: String = "acme", messageID: String = "msg_1", at date: Date = Date(),
        secrets: [WebhookSecret] = [PaymentFixture.secret]
    ) async throws -> Reply {
        try await post("/payments/webhook/\(gateway)", body, headers: [
            "Content-Type": "application/json",
            "webhook-id": messageID,
            "webhook-timestamp": StandardWebhookSignature.timestamp(date),
            "webhook-signature": StandardWebhookSignature.header(id: messageID, timestamp: date, body: Array(body.utf8), secrets: secrets),
        ])
    }

    /// Posts a Stripe event with `signature` (by default a valid one for now).
    func notifyStripe(_ body: String, signature: String? = nil) async throws -> Reply {
        try await post("/payments/webhook/stripe", body, headers: [
            "Content-Type": "application/json", "Stripe-Signature": signature ?? PaymentFixture.stripeSignature(body),
        ])
    }

    /// Rows of everything a payment writes: resources, history, and payment notifications.
    func paymentFootprint() async throws -> [Int] {
        [try await count("resource"), try await count("resource_history"), try await count("payment_notification")]
    }

    /// The Invoice `id` as stored now.
    func invoice(_ id: String) async throws -> JSONValue {
        try await get("/fhir/Invoice/\(id)").json
    }
}
