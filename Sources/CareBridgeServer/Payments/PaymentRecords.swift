import FHIRCore

/// The FHIR resources that record one applied payment: a PaymentReconciliation (the money received), a
/// PaymentNotice (that the invoice was paid, in full or in part), and the Invoice's new version.
struct PaymentRecords: Sendable {
    let gateway: String
    let eventID: String
    let payment: PaymentEvent.Payment
    let invoice: PayableInvoice
    /// The total paid on the invoice including this payment.
    let paidSoFar: PaymentAmount
    /// The time of processing, as a FHIR instant.
    let now: String

    /// `paymentstatus` has only `paid` and `cleared`; a partial payment is `paid` there and also carries
    /// this hub code, so that both can be searched.
    static let paymentStatusSystem = "http://terminology.hl7.org/CodeSystem/paymentstatus"
    static let partialStatusSystem = "urn:carebridge:payment-status"

    /// Whether this payment brings the total paid up to the invoice's total.
    var balances: Bool { !(paidSoFar < invoice.total) }

    var invoiceReference: String { "Invoice/\(invoice.resource.id ?? "")" }

    /// The event's identifier: system per gateway, value the gateway's event id.
    private var eventIdentifier: JSONValue {
        .object(JSONObject([("system", .string("urn:carebridge:payment-gateway:\(gateway)")), ("value", .string(eventID))]))
    }

    private var money: JSONValue {
        .object(JSONObject([("value", .number(payment.amount.description)), ("currency", .string(payment.currency))]))
    }

    /// The date of payment: as the gateway gave it, else today (UTC).
    private var paymentDate: String {
        String((payment.paidAt?.text ?? now).prefix(10))
    }

    func reconciliation() -> FHIRResource {
        let reference = payment.reference ?? eventID
        let detail = JSONObject([
            ("identifier", eventIdentifier),
            ("type", .object(JSONObject([("coding", .array([.object(JSONObject([
                ("system", .string("http://terminology.hl7.org/CodeSystem/payment-type")), ("code", .string("payment")),
            ]))]))]))),
            ("request", Self.reference(invoiceReference)),
            ("date", .string(paymentDate)),
            ("amount", money),
        ])
        return FHIRResource(resourceType: "PaymentReconciliation", [
            ("identifier", .array([eventIdentifier])),
            ("status", .string("active")),
            ("created", .string(now)),
            ("outcome", .string("complete")),
            ("disposition", .string("Payment received from gateway '\(gateway)'")),
            ("paymentDate", .string(paymentDate)),
            ("paymentAmount", money),
            ("paymentIdentifier", .object(JSONObject([
                ("system", .string("urn:carebridge:payment-gateway:\(gateway):payment")), ("value", .string(reference)),
            ]))),
            ("detail", .array([.object(detail)])),
        ])
    }

    func notice(reconciliation: String) -> FHIRResource {
        var coding: [JSONValue] = [.object(JSONObject([
            ("system", .string(Self.paymentStatusSystem)), ("code", .string("paid")), ("display", .string("Paid")),
        ]))]
        if !balances {
            coding.append(.object(JSONObject([
                ("system", .string(Self.partialStatusSystem)), ("code", .string("partial")),
                ("display", .string("Part of the invoice is paid")),
            ])))
        }
        return FHIRResource(resourceType: "PaymentNotice", [
            ("identifier", .array([eventIdentifier])),
            ("status", .string("active")),
            ("request", Self.reference(invoiceReference)),
            ("created", .string(now)),
            ("payment", Self.reference(reconciliation)),
            ("paymentDate", .string(paymentDate)),
            ("recipient", invoice.payee),
            ("amount", money),
            ("paymentStatus", .object(JSONObject([
                ("coding", .array(coding)), ("text", .string(balances ? "paid" : "partial")),
            ]))),
        ])
    }

    /// The invoice with a note of this payment and the total paid so far, and `balanced` once paid in full.
    func updatedInvoice() -> FHIRResource {
        var resource = invoice.resource
        let currency = payment.currency
        var text = "Payment of \(payment.amount) \(currency) received from gateway '\(gateway)' (event \(eventID)"
        if let reference = payment.reference { text += ", payment \(reference)" }
        text += "): \(paidSoFar) \(currency) of \(invoice.total) \(currency) paid so far"
        text += balances ? "; the invoice is balanced." : "."
        var notes = resource.json["note"]?.arrayValue ?? []
        notes.append(.object(JSONObject([("time", .string(now)), ("text", .string(text))])))
        resource.json["note"] = .array(notes)
        if balances { resource.json["status"] = .string(InvoiceStatus.balanced.rawValue) }
        return resource
    }

    private static func reference(_ text: String) -> JSONValue {
        .object(JSONObject([("reference", .string(text))]))
    }
}
