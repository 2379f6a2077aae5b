import FHIRCore
import Foundation

/// A gateway notification, read from its body: a payment to apply to an invoice, or an event the hub
/// acknowledges and ignores.
struct PaymentEvent: Sendable {
    /// A successful payment of an invoice.
    struct Payment: Sendable {
        /// The invoice's id (from `Invoice/<id>` or a bare id).
        let invoiceID: String
        let amount: PaymentAmount
        /// The ISO 4217 code, upper case.
        let currency: String
        /// When the payment was made (FHIR dateTime), when the gateway says.
        let paidAt: FHIRDateTime?
        /// The gateway's own reference of the payment.
        let reference: String?
    }

    /// The gateway's event id, unique per gateway: the key of replay protection.
    let id: String
    let type: String
    /// The payment, for a payment event; nil for every other type.
    let payment: Payment?

    /// The event types that carry a payment, per scheme.
    static let neutralPaymentType = "payment.succeeded"
    static let stripePaymentType = "payment_intent.succeeded"

    /// Reads a body in the format of `scheme`; a malformed body is a 400.
    init(body: [UInt8], scheme: PaymentGateway.Scheme) throws(FHIRError) {
        let json: JSONValue
        do {
            json = try JSONParser(maximumDepth: 32).parse(body)
        } catch {
            throw Self.malformed("the body is not JSON (\(error))")
        }
        guard let id = json["id"]?.stringValue, !id.isEmpty, id.utf8.count <= 255 else {
            throw Self.malformed(#"the event needs an "id" (a string of at most 255 characters)"#)
        }
        guard let type = json["type"]?.stringValue, !type.isEmpty else { throw Self.malformed(#"the event needs a "type""#) }
        self.id = id
        self.type = type
        switch scheme {
        case .standardWebhooks: payment = type == Self.neutralPaymentType ? try Self.neutralPayment(json) : nil
        case .stripe: payment = type == Self.stripePaymentType ? try Self.stripePayment(json) : nil
        }
    }

    /// `{"invoice":"Invoice/abc","amount":{"value":"120.00","currency":"EUR"},"paidAt":"...","paymentReference":"..."}`;
    /// the value may also be a JSON number, read as its text.
    private static func neutralPayment(_ json: JSONValue) throws(FHIRError) -> Payment {
        let invoice = try invoiceID(json["invoice"]?.stringValue, member: "invoice")
        guard let currency = currency(json["amount"]?["currency"]?.stringValue) else {
            throw malformed("amount.currency must be a three-letter ISO 4217 code")
        }
        let valueText = json["amount"]?["value"]?.stringValue ?? json["amount"]?["value"]?.numberText
        guard let valueText, let amount = PaymentAmount(decimal: valueText), !amount.isZero else {
            throw malformed(#"amount.value must be a positive decimal written like "120.00""#)
        }
        var paidAt: FHIRDateTime?
        if let text = json["paidAt"]?.stringValue {
            guard let date = FHIRDateTime(text), date.hasTime, date.offsetMinutes != nil else {
                throw malformed("paidAt must be a date and time with a time zone, such as 2026-11-23T10:00:00Z")
            }
            paidAt = date
        }
        return Payment(
            invoiceID: invoice, amount: amount, currency: currency, paidAt: paidAt,
            reference: json["paymentReference"]?.stringValue)
    }

    /// A Stripe `payment_intent.succeeded` event: `data.object` is the PaymentIntent, with
    /// `amount_received` in the currency's minor units, a lower-case `currency` and `metadata.invoice`.
    private static func stripePayment(_ json: JSONValue) throws(FHIRError) -> Payment {
        guard let intent = json["data"]?["object"], intent.objectValue != nil else {
            throw malformed("a payment_intent.succeeded event needs data.object")
        }
        let invoice = try invoiceID(intent["metadata"]?["invoice"]?.stringValue, member: "data.object.metadata.invoice")
        guard let currency = currency(intent["currency"]?.stringValue) else {
            throw malformed("data.object.currency must be a three-letter ISO 4217 code")
        }
        guard let text = intent["amount_received"]?.numberText, let minor = Int64(text), minor > 0 else {
            throw malformed("data.object.amount_received must be a positive whole number of minor units")
        }
        var paidAt: FHIRDateTime?
        if let created = json["created"]?.numberText.flatMap({ Int64($0) }) {
            paidAt = FHIRDateTime(FHIRInstant.string(from: Date(timeIntervalSince1970: TimeInterval(created))))
        }
        return Payment(
            invoiceID: invoice, amount: PaymentAmount(minorUnits: minor, exponent: CurrencyExponent.of(currency)),
            currency: currency, paidAt: paidAt, reference: intent["id"]?.stringValue)
    }

    /// The id of `Invoice/<id>` (or an absolute URL ending so), or of a bare id.
    private static func invoiceID(_ text: String?, member: String) throws(FHIRError) -> String {
        guard let text else { throw malformed("\(member) must name the invoice paid, as Invoice/<id>") }
        if let reference = LiteralReference(text) {
            guard reference.type == "Invoice" else { throw malformed("\(member) must be an Invoice, not a \(reference.type)") }
            return reference.id
        }
        guard FHIRResource.isValidID(text) else { throw malformed("\(member) '\(text)' is not an Invoice reference") }
        return text
    }

    private static func currency(_ text: String?) -> String? {
        guard let text, text.utf8.count == 3, text.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.isAlphabetic }) else {
            return nil
        }
        return text.uppercased()
    }

    private static func malformed(_ message: String) -> FHIRError {
        FHIRError(400, code: "structure", "Malformed payment notification: \(message)")
    }
}
