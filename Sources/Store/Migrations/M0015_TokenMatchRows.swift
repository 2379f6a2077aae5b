extension Migration {
    /// `carebridge_token_match` returns the matching resources' current rows (version, time, body, index digest)
    /// instead of their ids only, so that the update of a conditional interaction's match that follows
    /// needs no round trip of its own (`StoreSession.prefetched`). Same look, lock and second look as migration
    /// 14 (written as a loop of two looks), planned with sequential scans off for the same reason; index rows
    /// first and each resource by primary key (`LATERAL`), as there: a plain join or `IN` let the planner walk
    /// every resource of the type.
    static let tokenMatchRows = Migration(
        version: 15,
        name: "token_match_rows",
        statements: [
            "DROP FUNCTION carebridge_token_match(text, text, text, text, int, text)",
            """
            CREATE FUNCTION carebridge_token_match(
                p_type text, p_param text, p_system text, p_code text, p_limit int, p_lock_key text
            ) RETURNS TABLE (id text, version_id integer, last_updated timestamptz, body text, index_digest bytea)
            LANGUAGE plpgsql VOLATILE SET enable_seqscan = off AS $$
            BEGIN
                FOR look IN 1..2 LOOP
                    RETURN QUERY SELECT r.id, r.version_id, r.last_updated, r.body, r.index_digest
                        FROM (SELECT DISTINCT x.id FROM search_token x
                              WHERE x.resource_type = p_type AND x.param = p_param AND x.system = p_system
                                AND x.code = p_code) m
                        CROSS JOIN LATERAL (SELECT * FROM resource c WHERE c.resource_type = p_type AND c.id = m.id) r
                        WHERE NOT r.deleted
                        LIMIT p_limit;
                    IF FOUND OR p_lock_key IS NULL OR look = 2 THEN
                        RETURN;
                    END IF;
                    PERFORM pg_advisory_xact_lock(hashtextextended(p_lock_key, 0));
                END LOOP;
            END
            $$
            """,
        ]
    )
}
