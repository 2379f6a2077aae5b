extension Migration {
    /// Drops the index of pending deliveries by due time: the claims find each subscription's head through
    /// `webhook_delivery_pending` and lock it by its key, so nothing reads it, and with it in place a fresh
    /// table's statistics led the dispatcher's prepared statements to scan the whole backlog through it.
    /// Without it, leasing a delivery (which changes only `next_attempt_at`) can be a HOT update.
    static let deliveryIndexes = Migration(
        version: 10,
        name: "delivery_indexes",
        statements: ["DROP INDEX webhook_delivery_due"]
    )
}
