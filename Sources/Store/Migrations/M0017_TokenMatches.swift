extension Migration {
    /// `carebridge_token_matches` looks up many single-token criteria at once, for an ingest batch to match all
    /// its messages' resources in one round trip before applying them (`StoreSession.prefetchMatches`): for each
    /// criterion (by position in the arrays), up to `p_limit` current resources holding the token, with their rows.
    /// Read as `carebridge_token_match` reads one (index rows first, each resource by primary key), without its
    /// lock: a criterion nothing matches is left to the usual match, which takes the lock. A function, planned
    /// once per connection with sequential scans off, for the reasons given on migrations 15 and 16. Replaced by
    /// migration 18, which locks the criteria nothing matches and looks again.
    static let tokenMatches = Migration(
        version: 17,
        name: "token_matches",
        statements: [
            """
            CREATE FUNCTION carebridge_token_matches(
                p_types text[], p_params text[], p_systems text[], p_codes text[], p_limit int
            ) RETURNS TABLE (
                key_position int, id text, version_id integer, last_updated timestamptz, body text, index_digest bytea
            )
            LANGUAGE plpgsql STABLE SET enable_seqscan = off SET plan_cache_mode = force_generic_plan AS $$
            BEGIN
                RETURN QUERY
                SELECT k.position::int, r.id, r.version_id, r.last_updated, r.body, r.index_digest
                FROM unnest(p_types, p_params, p_systems, p_codes) WITH ORDINALITY AS k(type, param, system, code, position)
                CROSS JOIN LATERAL (
                    SELECT c.id, c.version_id, c.last_updated, c.body, c.index_digest
                    FROM (SELECT DISTINCT x.id FROM search_token x
                          WHERE x.resource_type = k.type AND x.param = k.param AND x.system = k.system
                            AND x.code = k.code) m
                    CROSS JOIN LATERAL (SELECT * FROM resource t WHERE t.resource_type = k.type AND t.id = m.id) c
                    WHERE NOT c.deleted
                    LIMIT p_limit
                ) r;
            END
            $$
            """,
        ]
    )
}
