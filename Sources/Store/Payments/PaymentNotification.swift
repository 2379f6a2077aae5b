/// What became of a payment-gateway notification (the `payment_notification.outcome` column).
public enum PaymentNotificationOutcome: String, Sendable, Hashable, CaseIterable {
    /// Being applied: only ever seen inside the transaction that applies it.
    case received
    /// A payment applied to an invoice that is not yet paid in full.
    case partial
    /// A payment that brought the invoice's total paid up to its total: the invoice is balanced.
    case balanced
    /// An event type the hub does not act on, acknowledged and kept so a resend is recognised.
    case ignored
}

/// One notification from a payment gateway, as recorded for replay protection and the running total.
public struct PaymentNotification: Sendable, Hashable {
    /// The gateway's configured name.
    public var gateway: String
    /// The gateway's event id, unique per gateway.
    public var eventID: String
    /// The gateway's event type (`payment.succeeded`, `payment_intent.succeeded`, ...).
    public var eventType: String
    /// The invoice paid, as `Invoice/id`; nil for ignored events.
    public var invoice: String?
    /// The amount paid as an exact decimal text (`120.00`); nil for ignored events.
    public var amount: String?
    /// The ISO 4217 code of `amount`, upper case.
    public var currency: String?
    /// The gateway's own reference of the payment (a payment intent, a transaction id).
    public var paymentReference: String?

    /// A notification with these values.
    public init(
        gateway: String, eventID: String, eventType: String, invoice: String? = nil, amount: String? = nil,
        currency: String? = nil, paymentReference: String? = nil
    ) {
        self.gateway = gateway
        self.eventID = eventID
        self.eventType = eventType
        self.invoice = invoice
        self.amount = amount
        self.currency = currency
        self.paymentReference = paymentReference
    }
}
