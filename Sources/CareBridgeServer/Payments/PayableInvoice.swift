import FHIRCore

/// What applying a payment needs from an Invoice: its status, the amount due and its currency, and who
/// is paid.
struct PayableInvoice: Sendable {
    let resource: FHIRResource
    /// `totalGross`, or the line items' price components added up when it is absent.
    let total: PaymentAmount
    /// The currency of the total; nil when the invoice names none.
    let currency: String?

    /// Reads `resource`; 422 when it states no total the hub can read.
    init(_ resource: FHIRResource) throws(FHIRError) {
        self.resource = resource
        if let gross = resource.json["totalGross"] {
            guard let amount = gross["value"]?.numberText.flatMap(PaymentAmount.init(decimal:)) else {
                throw Self.unreadable("its totalGross.value is not a non-negative decimal")
            }
            total = amount
            currency = gross["currency"]?.stringValue?.uppercased()
            return
        }
        var sum = PaymentAmount(minorUnits: 0, exponent: 0)
        var deductions = PaymentAmount(minorUnits: 0, exponent: 0)
        var currency: String?
        var priced = false
        for component in (resource.json["lineItem"]?.arrayValue ?? []).flatMap({ $0["priceComponent"]?.arrayValue ?? [] }) {
            let type = component["type"]?.stringValue ?? ""
            guard type != "informational", let amount = component["amount"] else { continue }
            guard let value = amount["value"]?.numberText.flatMap(PaymentAmount.init(decimal:)) else {
                throw Self.unreadable("a lineItem.priceComponent.amount.value is not a non-negative decimal")
            }
            currency = currency ?? amount["currency"]?.stringValue?.uppercased()
            priced = true
            let added = type == "deduction" || type == "discount" ? deductions.adding(value) : sum.adding(value)
            guard let added else { throw Self.unreadable("its line items add up to more than the hub can hold") }
            if type == "deduction" || type == "discount" { deductions = added } else { sum = added }
        }
        guard priced else { throw Self.unreadable("it has neither totalGross nor priced line items") }
        guard let total = sum.subtracting(deductions) else {
            throw Self.unreadable("its deductions and discounts exceed its charges")
        }
        self.total = total
        self.currency = currency
    }

    /// `status`; nil when absent or not an invoice status.
    var status: InvoiceStatus? { resource.invoiceStatus }

    /// Who a PaymentNotice tells of the payment: the issuer, else the recipient, else a display naming the
    /// invoice (the element is required, and an invoice need not say either).
    var payee: JSONValue {
        if let issuer = resource.json["issuer"], issuer.objectValue != nil { return issuer }
        if let recipient = resource.json["recipient"], recipient.objectValue != nil { return recipient }
        return .object(JSONObject([("display", .string("Payee of Invoice/\(resource.id ?? "")"))]))
    }

    private static func unreadable(_ reason: String) -> FHIRError {
        FHIRError(422, code: "processing", "A payment cannot be applied to this Invoice: \(reason)")
    }
}
