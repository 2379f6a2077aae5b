extension Migration {
    /// The transactional outbox and webhook delivery state (issue 5).
    ///
    /// - `subscription_state` mirrors each Subscription resource's status and holds what the resource must not
    ///   show: its signing secrets (a previous one stays valid until `previous_secret_expires_at` during a
    ///   rotation), the pause switch and the event counter. The counter is raised under the row's lock by the
    ///   transaction that writes an event, so event numbers follow commit order for each subscription.
    /// - `subscription_catalog.generation` changes, transactionally, whenever any subscription does; every hub
    ///   process polls it to know when to reload the subscriptions it matches changes against.
    /// - `webhook_event` is the outbox: one row per event, written in the transaction of the change it reports.
    /// - `webhook_delivery` is an event's delivery (`pending`, `delivered` or `dead`), with a `webhook_id` that
    ///   stays the same across retries; `webhook_attempt` records every attempt.
    static let webhooks = Migration(
        version: 6,
        name: "webhooks",
        statements: [
            """
            CREATE TABLE subscription_state (
                id text PRIMARY KEY,
                status text NOT NULL,
                paused boolean NOT NULL DEFAULT false,
                secret text NOT NULL,
                previous_secret text,
                previous_secret_expires_at timestamptz,
                events_since_start bigint NOT NULL DEFAULT 0,
                last_notified_at timestamptz,
                updated_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE TABLE subscription_catalog (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), generation bigint NOT NULL)",
            "INSERT INTO subscription_catalog (generation) VALUES (0)",
            """
            CREATE TABLE webhook_event (
                id bigserial PRIMARY KEY,
                subscription_id text NOT NULL,
                event_number bigint NOT NULL,
                topic text,
                interaction text NOT NULL,
                focus_type text NOT NULL,
                focus_id text NOT NULL,
                focus_version int NOT NULL,
                occurred_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (subscription_id, event_number)
            )
            """,
            """
            CREATE TABLE webhook_delivery (
                event_id bigint PRIMARY KEY REFERENCES webhook_event (id),
                subscription_id text NOT NULL,
                webhook_id text NOT NULL UNIQUE,
                status text NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
                attempts int NOT NULL DEFAULT 0,
                next_attempt_at timestamptz NOT NULL DEFAULT now(),
                last_error text,
                delivered_at timestamptz
            )
            """,
            "CREATE INDEX webhook_delivery_pending ON webhook_delivery (subscription_id, event_id) WHERE status = 'pending'",
            "CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at, event_id) WHERE status = 'pending'",
            "CREATE INDEX webhook_delivery_by_subscription ON webhook_delivery (subscription_id, status, event_id)",
            """
            CREATE TABLE webhook_attempt (
                id bigserial PRIMARY KEY,
                event_id bigint NOT NULL REFERENCES webhook_event (id),
                attempted_at timestamptz NOT NULL DEFAULT now(),
                status_code int,
                latency_ms double precision NOT NULL,
                error text
            )
            """,
            "CREATE INDEX webhook_attempt_by_event ON webhook_attempt (event_id, id)",
        ]
    )
}
