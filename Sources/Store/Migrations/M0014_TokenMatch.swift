extension Migration {
    /// `carebridge_token_match`: the current resources of a type holding one token (`identifier=system|value`,
    /// what conditional interactions mostly use), at most `p_limit` of them; when none does and a lock key is
    /// given, it takes that transaction-scoped advisory lock and looks again, in the same call.
    ///
    /// - One round trip for a conditional create of something new instead of three (look, lock, look again):
    ///   a function's statements each take a new snapshot (it is `VOLATILE`), so the second look sees what a
    ///   transaction that held the lock committed.
    /// - Its plan is kept (PL/pgSQL caches it), and it is planned with sequential scans off: a plan made while
    ///   `search_token` was small (on a new database, after an early automatic ANALYZE) would otherwise scan
    ///   the whole table for every match as it grows, until the next ANALYZE. Index rows first, each resource
    ///   checked by primary key, for the same reason.
    static let tokenMatch = Migration(
        version: 14,
        name: "token_match",
        statements: [
            """
            CREATE FUNCTION carebridge_token_match(
                p_type text, p_param text, p_system text, p_code text, p_limit int, p_lock_key text
            ) RETURNS SETOF text LANGUAGE plpgsql VOLATILE SET enable_seqscan = off AS $$
            BEGIN
                RETURN QUERY SELECT DISTINCT x.id FROM search_token x
                    WHERE x.resource_type = p_type AND x.param = p_param AND x.system = p_system AND x.code = p_code
                      AND (SELECT NOT r.deleted FROM resource r WHERE r.resource_type = x.resource_type AND r.id = x.id)
                    LIMIT p_limit;
                IF FOUND OR p_lock_key IS NULL THEN
                    RETURN;
                END IF;
                PERFORM pg_advisory_xact_lock(hashtextextended(p_lock_key, 0));
                RETURN QUERY SELECT DISTINCT x.id FROM search_token x
                    WHERE x.resource_type = p_type AND x.param = p_param AND x.system = p_system AND x.code = p_code
                      AND (SELECT NOT r.deleted FROM resource r WHERE r.resource_type = x.resource_type AND r.id = x.id)
                    LIMIT p_limit;
            END
            $$
            """,
        ]
    )
}
