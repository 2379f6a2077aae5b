import FHIRCore
import Foundation
import Logging
import NIOCore
import Store

/// Applies verified gateway notifications to the store, each in one database transaction: the
/// notification row (replay protection and running total), the PaymentReconciliation and PaymentNotice,
/// and the Invoice's new version all commit together, or nothing does.
struct PaymentPosting: Sendable {
    let handler: RestHandler
    let logger: Logger

    /// What a notification did, as told to the gateway.
    struct Result: Sendable {
        let outcome: PaymentNotificationOutcome
        let records: PaymentRecords?
        let reconciliation: String?
        let notice: String?
    }

    /// Applies `event` from `gateway`. A replayed event id is a 400 and changes nothing; so do an unknown
    /// invoice (422), an invoice that is not `issued` (409) and a payment in another currency (400).
    func apply(_ event: PaymentEvent, gateway: String, now: Date = Date()) async throws -> Result {
        try await handler.store.withTransaction { session in
            let notification = PaymentNotification(
                gateway: gateway, eventID: event.id, eventType: event.type,
                invoice: event.payment.map { "Invoice/\($0.invoiceID)" }, amount: event.payment?.amount.description,
                currency: event.payment?.currency, paymentReference: event.payment?.reference)
            guard let row = try await session.claimPaymentNotification(notification) else {
                throw FHIRError(400, code: "duplicate", "Event \(event.id) from gateway '\(gateway)' was already processed")
            }
            guard let payment = event.payment else {
                try await session.settlePaymentNotification(row, outcome: .ignored)
                return Result(outcome: .ignored, records: nil, reconciliation: nil, notice: nil)
            }
            return try await pay(payment, event: event, gateway: gateway, row: row, session: session, now: now)
        }
    }

    private func pay(
        _ payment: PaymentEvent.Payment, event: PaymentEvent, gateway: String, row: Int64, session: StoreSession, now: Date
    ) async throws -> Result {
        // The lock serialises payments of one invoice: the second sees the first one's total.
        guard let stored = try await session.readForUpdate("Invoice", payment.invoiceID), !stored.deleted else {
            throw FHIRError(422, code: "not-found", "Invoice/\(payment.invoiceID) does not exist")
        }
        let invoice = try PayableInvoice(try FHIRResource(parsing: stored.body.readableBytesView))
        guard invoice.status == .issued else {
            let status = invoice.resource.statusCode ?? "without a status"
            throw FHIRError(409, code: "business-rule", "Invoice/\(payment.invoiceID) is \(status); only an issued invoice can be paid")
        }
        if let currency = invoice.currency, currency != payment.currency {
            throw FHIRError(400, code: "invalid", "The payment is in \(payment.currency) but Invoice/\(payment.invoiceID) is in \(currency)")
        }
        let earlier = try await session.paidAmount(invoice: "Invoice/\(payment.invoiceID)", currency: payment.currency)
        guard let paidBefore = PaymentAmount(decimal: earlier), let paidSoFar = paidBefore.adding(payment.amount) else {
            throw FHIRError(500, code: "exception", "The total paid on Invoice/\(payment.invoiceID) cannot be computed")
        }
        let records = PaymentRecords(
            gateway: gateway, eventID: event.id, payment: payment, invoice: invoice, paidSoFar: paidSoFar,
            now: FHIRInstant.string(from: now))
        let reconciliation = try await create(records.reconciliation(), session)
        let notice = try await create(records.notice(reconciliation: reconciliation), session)
        let updated = records.updatedInvoice()
        try handler.validate(updated)
        _ = try await session.update(updated, id: payment.invoiceID, ifMatch: stored.versionId, method: "PUT")
        let outcome: PaymentNotificationOutcome = records.balances ? .balanced : .partial
        try await session.settlePaymentNotification(
            row, outcome: outcome, resources: [reconciliation, notice, "Invoice/\(payment.invoiceID)"])
        logger.info(
            "payment applied",
            metadata: [
                "gateway": "\(gateway)", "event": "\(event.id)", "invoice": "Invoice/\(payment.invoiceID)",
                "outcome": "\(outcome.rawValue)",
            ])
        return Result(outcome: outcome, records: records, reconciliation: reconciliation, notice: notice)
    }

    /// Validates and stores a new resource; returns its `Type/id`.
    private func create(_ resource: FHIRResource, _ session: StoreSession) async throws -> String {
        try handler.validate(resource)
        return try await session.create(resource).reference
    }
}
