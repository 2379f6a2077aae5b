extension Migration {
    /// `carebridge_mark_applied` records the messages an ingest transaction applied (status `processed` and the
    /// resources each wrote) and claims their senders and control ids for them, all in one statement
    /// (`StoreSession.markApplied`). It is a function so that its plan is made once per connection: as a prepared
    /// statement over arrays PostgreSQL planned it anew on every call (its generic plan, costed for ten array
    /// elements, looked dearer than a custom plan for the usual one or few), which cost more than running it.
    /// Sequential scans are off for the same reason as in `carebridge_token_match`: the plan is kept while the log
    /// grows, so it must look messages up by primary key even when it is made while the log is small.
    ///
    /// Returns the messages whose claim another message holds, with that message (then nothing is marked: the
    /// caller rolls back), and how many were marked. Two messages with the same sender and control id make it
    /// fail (`ON CONFLICT` claims a key once per statement).
    static let markApplied = Migration(
        version: 16,
        name: "mark_applied",
        statements: [
            """
            CREATE FUNCTION carebridge_mark_applied(
                p_ids bigint[], p_applications text[], p_facilities text[], p_control_ids text[], p_resources text[]
            ) RETURNS TABLE (taken_ids bigint[], holder_ids bigint[], marked_count bigint)
            LANGUAGE plpgsql VOLATILE SET enable_seqscan = off SET plan_cache_mode = force_generic_plan AS $$
            BEGIN
                RETURN QUERY
                WITH applied AS (
                    SELECT * FROM unnest(p_ids, p_applications, p_facilities, p_control_ids, p_resources)
                        AS x(id, application, facility, control_id, resources)
                ), claim AS (
                    INSERT INTO inbound_processed (sending_application, sending_facility, control_id, message_id)
                    SELECT a.application, a.facility, a.control_id, a.id FROM applied a WHERE a.control_id <> ''
                    ON CONFLICT (sending_application, sending_facility, control_id)
                    DO UPDATE SET message_id = inbound_processed.message_id
                    RETURNING inbound_processed.sending_application, inbound_processed.sending_facility,
                        inbound_processed.control_id, inbound_processed.message_id
                ), taken AS (
                    SELECT a.id, c.message_id AS holder FROM applied a JOIN claim c
                        ON c.sending_application = a.application AND c.sending_facility = a.facility
                        AND c.control_id = a.control_id
                    WHERE c.message_id <> a.id
                ), marked AS (
                    UPDATE inbound_message m SET status = 'processed', error = NULL,
                        resources = string_to_array(a.resources, E'\\x1e'), duplicate_of = NULL,
                        attempts = m.attempts + 1, processed_at = now()
                    FROM applied a WHERE m.id = a.id AND NOT EXISTS (SELECT 1 FROM taken)
                    RETURNING 1
                )
                SELECT coalesce((SELECT array_agg(t.id ORDER BY t.id) FROM taken t), '{}'),
                    coalesce((SELECT array_agg(t.holder ORDER BY t.id) FROM taken t), '{}'), (SELECT count(*) FROM marked);
            END
            $$
            """,
        ]
    )
}
