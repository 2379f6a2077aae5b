import FHIRCore
import Foundation
import Testing
import Webhooks

/// `POST /payments/webhook/{gateway}` with the Standard Webhooks scheme against the real hub and database.
@Suite("Payment webhooks")
struct PaymentWebhookTests {
    @Test("a payment of the whole total balances the invoice and is found as PaymentReconciliation and PaymentNotice")
    func fullPayment() async throws {
        try await Hub.runWithPayments { hub in
            let id = try await hub.create(PaymentFixture.invoice(total: "120.00"))
            let reply = try await hub.notify(PaymentFixture.event(id: "evt_1", invoice: "Invoice/\(id)", value: "120.00"))
            #expect(reply.status == 200, "\(reply.text)")
            let summary = try reply.json
            #expect(summary.string("outcome") == "balanced")
            #expect(summary.string("paid") == "120.00")
            #expect(try await hub.invoice(id).string("status") == "balanced")

            let reconciliations = try await hub.get("/fhir/PaymentReconciliation?identifier=urn:carebridge:payment-gateway:acme|evt_1").json
            let reconciliation = try #require(reconciliations.entries.first?["resource"])
            #expect(reconciliations.entries.count == 1)
            #expect(reconciliation.string("status") == "active")
            #expect(reconciliation.string("outcome") == "complete")
            #expect(reconciliation.string("paymentDate") == "2026-11-23")
            #expect(reconciliation[path: "paymentAmount.value"]?.numberText == "120.00")
            #expect(reconciliation.string("paymentIdentifier.value") == "pi_evt_1")
            #expect(reconciliation.string("detail.0.request.reference") == "Invoice/\(id)")

            let notices = try await hub.get("/fhir/PaymentNotice?request=Invoice/\(id)").json
            let notice = try #require(notices.entries.first?["resource"])
            #expect(notices.entries.count == 1)
            #expect(notice.string("payment.reference") == "PaymentReconciliation/\(reconciliation.string("id") ?? "")")
            #expect(notice.string("recipient.reference") == "Organization/clinic")
            #expect(notice.string("paymentStatus.coding.0.code") == "paid")
            #expect(notice[path: "paymentStatus.coding"]?.arrayValue?.count == 1)
            #expect(notice[path: "amount.value"]?.numberText == "120.00")
            #expect(try await hub.get("/fhir/PaymentNotice?payment-status=paid").json.entries.count == 1)
        }
    }

    @Test("a partial payment leaves the invoice issued with a note; the rest balances it")
    func partialThenFull() async throws {
        try await Hub.runWithPayments { hub in
            let id = try await hub.create(PaymentFixture.invoice(lines: ["80.00", "40.00"], issuer: false))
            let first = try await hub.notify(PaymentFixture.event(id: "evt_a", invoice: "Invoice/\(id)", value: "50.00"))
            #expect(first.status == 200, "\(first.text)")
            #expect(try first.json.string("outcome") == "partial")
            #expect(try first.json.string("total") == "120.00")
            let invoice = try await hub.invoice(id)
            #expect(invoice.string("status") == "issued")
            #expect(invoice.string("note.0.text")?.contains("50.00 EUR of 120.00 EUR paid so far") == true, "\(invoice)")
            let partial = try await hub.get("/fhir/PaymentNotice?payment-status=urn:carebridge:payment-status|partial").json
            #expect(partial.entries.count == 1)
            #expect(partial.entries.first?["resource"]?.string("paymentStatus.text") == "partial")
            #expect(partial.entries.first?["resource"]?.string("recipient.display") == "Payee of Invoice/\(id)")

            let second = try await hub.notify(PaymentFixture.event(id: "evt_b", invoice: "Invoice/\(id)", value: "70"))
            #expect(second.status == 200, "\(second.text)")
            #expect(try second.json.string("outcome") == "balanced")
            #expect(try second.json.string("paid") == "120.00")
            let balanced = try await hub.invoice(id)
            #expect(balanced.string("status") == "balanced")
            #expect(balanced["note"]?.arrayValue?.count == 2)
            #expect(try await hub.get("/fhir/PaymentNotice?request=Invoice/\(id)").json.entries.count == 2)
        }
    }

    @Test("unsigned, badly signed, wrongly keyed, stale, future and replayed notifications change nothing")
    func refusals() async throws {
        try await Hub.runWithPayments { hub in
            let id = try await hub.create(PaymentFixture.invoice(total: "120.00"))
            let body = PaymentFixture.event(id: "evt_r", invoice: "Invoice/\(id)", value: "20.00")
            let before = try await hub.paymentFootprint()

            try await hub.post("/payments/webhook/acme", body, headers: ["Content-Type": "application/json"]).expectError(401, code: "security")
            let now = Date()
            let signature = StandardWebhookSignature.header(id: "m", timestamp: now, body: Array(body.utf8), secrets: [PaymentFixture.secret])
            var headers = ["webhook-id": "m", "webhook-timestamp": StandardWebhookSignature.timestamp(now), "webhook-signature": signature]
            let altered = body.replacingOccurrences(of: "20.00", with: "99.00")
            var tampered = try await hub.post("/payments/webhook/acme", altered, headers: headers)
            try tampered.expectError(401, code: "security")
            headers["webhook-signature"] = "v1,AAAA"
            tampered = try await hub.post("/payments/webhook/acme", body, headers: headers)
            try tampered.expectError(401, code: "security")
            try await hub.notify(body, secrets: [PaymentFixture.wrongSecret]).expectError(401, code: "security")
            try await hub.notify(body, at: Date().addingTimeInterval(-360)).expectError(400, code: "invalid")
            try await hub.notify(body, at: Date().addingTimeInterval(360)).expectError(400, code: "invalid")
            #expect(try await hub.paymentFootprint() == before)

            #expect(try await hub.notify(body).status == 200)
            let applied = try await hub.paymentFootprint()
            tampered = try await hub.notify(body, messageID: "resent")
            try tampered.expectError(400, code: "duplicate")
            #expect(try await hub.paymentFootprint() == applied)
            #expect(try await hub.invoice(id).string("meta.versionId") == "2")
        }
    }

    @Test("unknown gateway 404, malformed 400, unknown invoice 422, unpayable invoice 409, other currency 400")
    func rejectedPayments() async throws {
        try await Hub.runWithPayments { hub in
            let issued = try await hub.create(PaymentFixture.invoice(total: "120.00"))
            let draft = try await hub.create(PaymentFixture.invoice(total: "120.00", status: "draft"))
            let cancelled = try await hub.create(PaymentFixture.invoice(total: "120.00", status: "cancelled"))
            let before = try await hub.paymentFootprint()

            try await hub.notify(PaymentFixture.event(id: "e0", invoice: "Invoice/\(issued)", value: "1.00"), gateway: "nope").expectError(404)
            try await hub.notify("{\"id\":\"e1\"}").expectError(400, code: "structure")
            try await hub.notify("not json").expectError(400, code: "structure")
            try await hub.notify(PaymentFixture.event(id: "e2", invoice: "Invoice/\(issued)", value: "-1.00")).expectError(400)
            try await hub.notify(PaymentFixture.event(id: "e3", invoice: "Invoice/\(issued)", value: "1e2")).expectError(400)
            try await hub.notify(PaymentFixture.event(id: "e4", invoice: "Patient/\(issued)", value: "1.00")).expectError(400)
            try await hub.notify(PaymentFixture.event(id: "e5", invoice: "Invoice/missing", value: "1.00")).expectError(422)
            try await hub.notify(PaymentFixture.event(id: "e6", invoice: "Invoice/\(draft)", value: "1.00")).expectError(409)
            try await hub.notify(PaymentFixture.event(id: "e7", invoice: "Invoice/\(cancelled)", value: "1.00")).expectError(409)
            try await hub.notify(PaymentFixture.event(id: "e8", invoice: "Invoice/\(issued)", value: "1.00", currency: "USD"))
                .expectError(400, code: "invalid")
            #expect(try await hub.paymentFootprint() == before)

            #expect(try await hub.notify(PaymentFixture.event(id: "e9", invoice: issued, value: "120.00")).status == 200)
            try await hub.notify(PaymentFixture.event(id: "e10", invoice: "Invoice/\(issued)", value: "1.00")).expectError(409)
        }
    }

    @Test("other event types are acknowledged and recorded as ignored; a resend is a replay")
    func ignoredEvents() async throws {
        try await Hub.runWithPayments { hub in
            let body = #"{"id":"evt_refund","type":"payment.refunded","invoice":"Invoice/x"}"#
            let reply = try await hub.notify(body)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(try reply.json.string("outcome") == "ignored")
            #expect(try await hub.paymentFootprint() == [0, 0, 1])
            try await hub.notify(body).expectError(400, code: "duplicate")
        }
    }

    @Test("either secret of a rotation is accepted")
    func rotation() async throws {
        try await Hub.runWithPayments { hub in
            let id = try await hub.create(PaymentFixture.invoice(total: "100.00"))
            let old = try await hub.notify(
                PaymentFixture.event(id: "evt_old", invoice: "Invoice/\(id)", value: "40.00"), secrets: [PaymentFixture.previousSecret])
            #expect(old.status == 200, "\(old.text)")
            let new = try await hub.notify(
                PaymentFixture.event(id: "evt_new", invoice: "Invoice/\(id)", value: "60.00"), secrets: [PaymentFixture.secret])
            #expect(new.status == 200, "\(new.text)")
            #expect(try new.json.string("outcome") == "balanced")
        }
    }

    @Test("two payments of one invoice at once: one is partial, the other balances it")
    func concurrentPayments() async throws {
        try await Hub.runWithPayments { hub in
            let id = try await hub.create(PaymentFixture.invoice(total: "100.00"))
            let replies = try await ConcurrencyTests.parallel(2) { index in
                try await hub.notify(PaymentFixture.event(id: "evt_c\(index)", invoice: "Invoice/\(id)", value: "50.00"))
            }
            #expect(replies.map(\.status) == [200, 200], "\(replies.map(\.text))")
            let outcomes = try replies.map { try $0.json.string("outcome") ?? "" }.sorted()
            #expect(outcomes == ["balanced", "partial"])
            #expect(try await hub.invoice(id).string("status") == "balanced")
        }
    }
}
