extension Migration {
    /// When each subscription was last notified, off `subscription_state`: that row is locked until commit by
    /// every transaction that writes an event for the subscription (its counter), and recording a delivery
    /// must not wait for those writers.
    static let subscriptionActivity = Migration(
        version: 8,
        name: "subscription_activity",
        statements: [
            "CREATE TABLE subscription_activity (id text PRIMARY KEY, last_notified_at timestamptz NOT NULL)",
            """
            INSERT INTO subscription_activity (id, last_notified_at)
            SELECT id, last_notified_at FROM subscription_state WHERE last_notified_at IS NOT NULL
            """,
            "ALTER TABLE subscription_state DROP COLUMN last_notified_at",
        ]
    )
}
