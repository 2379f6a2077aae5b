extension Migration {
    /// `inbound_processed`: for each sender and control id (MSH-3, MSH-4, MSH-10), the message that was applied.
    /// A message claims its key in the transaction that applies it (`INSERT ... ON CONFLICT`): the claim waits
    /// for a concurrent copy's transaction and then finds it, and a claim of a committed key returns the
    /// message that holds it. This replaces an advisory lock and a search of the log by key, which took a round
    /// trip each and whose planned access path could go bad on a young table; a conflict check through the
    /// primary key has no plan to go bad. Keys of messages processed before this migration are carried over.
    static let inboundClaims = Migration(
        version: 13,
        name: "inbound_claims",
        statements: [
            """
            CREATE TABLE inbound_processed (
                sending_application text NOT NULL,
                sending_facility text NOT NULL,
                control_id text NOT NULL,
                message_id bigint NOT NULL,
                PRIMARY KEY (sending_application, sending_facility, control_id)
            )
            """,
            """
            INSERT INTO inbound_processed (sending_application, sending_facility, control_id, message_id)
            SELECT DISTINCT ON (sending_application, sending_facility, control_id)
                sending_application, sending_facility, control_id, id
            FROM inbound_message WHERE status = 'processed' AND control_id <> ''
            ORDER BY sending_application, sending_facility, control_id, id
            """,
            "DROP INDEX inbound_message_processed",
        ]
    )
}
