extension Migration {
    /// Drops the two partial indexes of pending deliveries (by due time, and by subscription and event):
    /// each subscription's head is found through `webhook_delivery_by_subscription` (subscription, status,
    /// event) and locked by its key. With the partial indexes in place, a young table's statistics (few
    /// pending rows) led the dispatcher's prepared statements to read every pending delivery through them
    /// to lock one. Without the due-time index, leasing a delivery (which changes only `next_attempt_at`) can
    /// be a HOT update.
    static let deliveryIndexes = Migration(
        version: 10,
        name: "delivery_indexes",
        statements: ["DROP INDEX webhook_delivery_due", "DROP INDEX webhook_delivery_pending"]
    )
}
