import FHIRCore
import Foundation
import Testing
import Webhooks

/// The `stripe` signature scheme and event shape, and signatures made by an independent implementation
/// (Python's `hmac`).
@Suite("Payment webhooks: Stripe and independent signatures")
struct PaymentStripeTests {
    @Test("payment_intent.succeeded in minor units balances the invoice (cents and zero-decimal yen)")
    func stripePayment() async throws {
        try await Hub.runWithPayments { hub in
            let euros = try await hub.create(PaymentFixture.invoice(total: "120.00"))
            let reply = try await hub.notifyStripe(
                PaymentFixture.stripeEvent(id: "evt_s1", invoice: "Invoice/\(euros)", minorUnits: 12000, currency: "eur"))
            #expect(reply.status == 200, "\(reply.text)")
            #expect(try reply.json.string("amount") == "120.00")
            #expect(try reply.json.string("outcome") == "balanced")
            let reconciliation = try await hub.get("/fhir/PaymentReconciliation?identifier=urn:carebridge:payment-gateway:stripe|evt_s1").json
            #expect(reconciliation.entries.first?["resource"]?.string("paymentIdentifier.value") == "pi_evt_s1")
            #expect(reconciliation.entries.first?["resource"]?.string("paymentDate") == "2026-11-28")

            let yen = try await hub.create(PaymentFixture.invoice(total: "5000", currency: "JPY"))
            let partial = try await hub.notifyStripe(PaymentFixture.stripeEvent(id: "evt_s2", invoice: yen, minorUnits: 3000, currency: "jpy"))
            #expect(try partial.json.string("amount") == "3000")
            #expect(try partial.json.string("outcome") == "partial")
        }
    }

    @Test("Stripe-Signature: several v1 entries, a missing or wrong one, a stale t, other event types")
    func stripeSignatures() async throws {
        try await Hub.runWithPayments { hub in
            let id = try await hub.create(PaymentFixture.invoice(total: "10.00"))
            let body = PaymentFixture.stripeEvent(id: "evt_s3", invoice: "Invoice/\(id)", minorUnits: 1000, currency: "eur")
            let before = try await hub.paymentFootprint()
            try await hub.post("/payments/webhook/stripe", body, headers: ["Content-Type": "application/json"]).expectError(401)
            try await hub.notifyStripe(body, signature: PaymentFixture.stripeSignature(body, secret: "whsec_other")).expectError(401)
            try await hub.notifyStripe(body, signature: "t=\(Int(Date().timeIntervalSince1970))").expectError(401)
            try await hub.notifyStripe(body, signature: PaymentFixture.stripeSignature(body, at: Date().addingTimeInterval(-600)))
                .expectError(400)
            #expect(try await hub.paymentFootprint() == before)

            let valid = PaymentFixture.stripeSignature(body)
            let wrong = PaymentFixture.stripeSignature(body, secret: "whsec_rolled")
            let several = valid.replacingOccurrences(of: ",v1=", with: ",v1=\(wrong.split(separator: "=").last ?? ""),v0=ab,v1=")
            #expect(try await hub.notifyStripe(body, signature: several).status == 200)

            let charge = #"{"id":"evt_s4","type":"charge.refunded","data":{"object":{"id":"ch_1"}}}"#
            #expect(try await hub.notifyStripe(charge).json.string("outcome") == "ignored")
        }
    }

    /// Python 3, when this machine has it.
    static let python: String? = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("signatures computed by Python's hmac are accepted for both schemes", .enabled(if: python != nil))
    func independentSignatures() async throws {
        let python = try #require(Self.python)
        try await Hub.runWithPayments { hub in
            let id = try await hub.create(PaymentFixture.invoice(total: "30.00"))
            let timestamp = StandardWebhookSignature.timestamp(Date())
            let standard = PaymentFixture.event(id: "evt_py1", invoice: "Invoice/\(id)", value: "10.00")
            let standardSignature = try Self.run(python, [
                "import base64, hashlib, hmac, sys",
                "key = base64.b64decode(sys.argv[1].removeprefix('whsec_'))",
                "message = ('py1.' + sys.argv[2] + '.').encode() + sys.argv[3].encode()",
                "print('v1,' + base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode())",
            ], arguments: [PaymentFixture.secret.encoded, timestamp, standard])
            let first = try await hub.post("/payments/webhook/acme", standard, headers: [
                "webhook-id": "py1", "webhook-timestamp": timestamp, "webhook-signature": standardSignature,
            ])
            #expect(first.status == 200, "\(first.text)")

            let stripe = PaymentFixture.stripeEvent(id: "evt_py2", invoice: "Invoice/\(id)", minorUnits: 2000, currency: "eur")
            let stripeSignature = try Self.run(python, [
                "import hashlib, hmac, sys",
                "mac = hmac.new(sys.argv[1].encode(), (sys.argv[2] + '.' + sys.argv[3]).encode(), hashlib.sha256)",
                "print('t=' + sys.argv[2] + ',v1=' + mac.hexdigest())",
            ], arguments: [PaymentFixture.stripeSecret, timestamp, stripe])
            let second = try await hub.notifyStripe(stripe, signature: stripeSignature)
            #expect(second.status == 200, "\(second.text)")
            #expect(try second.json.string("outcome") == "balanced")
        }
    }

    /// Runs a Python program given as lines, with `arguments`, and returns its output without the newline.
    static func run(_ python: String, _ lines: [String], arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", lines.joined(separator: "\n")] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
