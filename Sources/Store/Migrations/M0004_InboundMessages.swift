extension Migration {
    /// The durable inbound log: every message received (MLLP, HTTP, CLI), stored raw before it is processed,
    /// with what became of it.
    ///
    /// - `sending_application`/`sending_facility`/`control_id` are MSH-3, MSH-4 and MSH-10 ('' when absent), so
    ///   that a message already processed from the same sender is recognised (`inbound_message_processed`).
    /// - `status` is `received`, `processed`, `error` or `duplicate`; `resources` lists the `Type/id` written.
    static let inboundMessages = Migration(
        version: 4,
        name: "inbound_messages",
        statements: [
            """
            CREATE TABLE inbound_message (
                id bigserial PRIMARY KEY,
                source text NOT NULL,
                peer text,
                sending_application text NOT NULL DEFAULT '',
                sending_facility text NOT NULL DEFAULT '',
                control_id text NOT NULL DEFAULT '',
                message_type text NOT NULL DEFAULT '',
                received_at timestamptz NOT NULL DEFAULT now(),
                status text NOT NULL CHECK (status IN ('received', 'processed', 'error', 'duplicate')),
                error text,
                resources text[] NOT NULL DEFAULT '{}',
                duplicate_of bigint REFERENCES inbound_message (id),
                processed_at timestamptz,
                attempts int NOT NULL DEFAULT 0,
                raw bytea NOT NULL
            )
            """,
            """
            CREATE INDEX inbound_message_processed ON inbound_message (sending_application, sending_facility, control_id)
            WHERE status = 'processed'
            """,
            "CREATE INDEX inbound_message_by_status ON inbound_message (status, id)",
            "CREATE INDEX inbound_message_by_received ON inbound_message (received_at)",
        ]
    )
}
