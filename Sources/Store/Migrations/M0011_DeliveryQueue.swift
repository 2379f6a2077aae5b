extension Migration {
    /// Makes finding a subscription's next pending delivery independent of how many it has delivered:
    /// - `subscription_activity.delivered_through`: no pending delivery of the subscription has an event id at
    ///   or below it (0 promises nothing). Recording a delivery raises it to that event (events of one
    ///   subscription are delivered in id order, which is their commit order); re-sending dead deliveries lowers
    ///   it below them. Head searches start after it instead of at the subscription's first event.
    /// - `webhook_delivery_queue` (subscription, event) replaces the index that also held the status, so neither a
    ///   lease nor a recorded delivery changes an indexed column: with room left on each page (fill factor 50)
    ///   both are HOT updates, and the index keeps no entries of superseded row versions for scans to skip.
    static let deliveryQueue = Migration(
        version: 11,
        name: "delivery_queue",
        statements: [
            "ALTER TABLE subscription_activity ADD COLUMN delivered_through bigint NOT NULL DEFAULT 0",
            "CREATE INDEX webhook_delivery_queue ON webhook_delivery (subscription_id, event_id)",
            "DROP INDEX webhook_delivery_by_subscription",
            "ALTER TABLE webhook_delivery SET (fillfactor = 50)",
        ]
    )
}
