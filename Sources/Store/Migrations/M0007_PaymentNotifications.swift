extension Migration {
    /// Payment-gateway notifications received on `POST /payments/webhook/{gateway}`: one row per event, for
    /// replay protection (an event id is applied at most once per gateway) and for the running total paid on
    /// each invoice.
    ///
    /// - `outcome` is `received` only inside the transaction that applies the event; it commits as `partial`
    ///   or `balanced` (a payment applied to `invoice`) or `ignored` (an event type the hub does not act on).
    /// - `amount` is the payment as an exact decimal in `currency`; `resources` lists the `Type/id` written.
    static let paymentNotifications = Migration(
        version: 7,
        name: "payment_notifications",
        statements: [
            """
            CREATE TABLE payment_notification (
                id bigserial PRIMARY KEY,
                gateway text NOT NULL,
                event_id text NOT NULL,
                event_type text NOT NULL,
                received_at timestamptz NOT NULL DEFAULT now(),
                invoice text,
                amount numeric CHECK (amount > 0),
                currency text,
                payment_reference text,
                outcome text NOT NULL CHECK (outcome IN ('received', 'partial', 'balanced', 'ignored')),
                resources text[] NOT NULL DEFAULT '{}',
                UNIQUE (gateway, event_id)
            )
            """,
            """
            CREATE INDEX payment_notification_applied ON payment_notification (invoice, currency)
            WHERE outcome IN ('partial', 'balanced')
            """,
        ]
    )
}
