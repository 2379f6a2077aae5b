extension Migration {
    /// `carebridge_token_matches` also does for the criteria nothing matches what `carebridge_token_match` does
    /// for one: it takes their advisory locks and looks again, so that an ingest batch's conditional creates need
    /// no round trip each (an ORU^R01 has ten or so: report, observations, order, communication). `p_lock_keys`
    /// names each criterion's lock (`StoreSession.lockKey`, the same name a single conditional interaction
    /// takes). The locks are taken in the order of their hashes, so two batches waiting for each other's locks
    /// here cannot deadlock. `p_lock_timeout`, when given, first limits the transaction's lock waits (the
    /// setting outlives the function: only the settings named in its `SET` clause are restored when it returns),
    /// so a batch never waits long for another's locks. Volatile, unlike the function it replaces: the second
    /// look needs a snapshot taken after the locks, to see what their last holders committed.
    static let tokenMatchesLocked = Migration(
        version: 18,
        name: "token_matches_locked",
        statements: [
            "DROP FUNCTION carebridge_token_matches(text[], text[], text[], text[], int)",
            """
            CREATE FUNCTION carebridge_token_matches(
                p_types text[], p_params text[], p_systems text[], p_codes text[], p_lock_keys text[], p_limit int,
                p_lock_timeout text
            ) RETURNS TABLE (
                key_position int, id text, version_id integer, last_updated timestamptz, body text, index_digest bytea
            )
            LANGUAGE plpgsql VOLATILE SET enable_seqscan = off SET plan_cache_mode = force_generic_plan AS $$
            DECLARE
                matched int[] := '{}';
                matched_keys int := 0;
                waiting int[];
            BEGIN
                IF p_lock_timeout IS NOT NULL THEN
                    PERFORM set_config('lock_timeout', p_lock_timeout, true);
                END IF;
                FOR look IN 1..2 LOOP
                    FOR key_position, id, version_id, last_updated, body, index_digest IN
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
                        ) r
                        WHERE look = 1 OR k.position::int = ANY (waiting)
                    LOOP
                        IF NOT (key_position = ANY (matched)) THEN
                            matched_keys := matched_keys + 1;
                            matched := matched || key_position;
                        END IF;
                        RETURN NEXT;
                    END LOOP;
                    IF look = 2 OR matched_keys = cardinality(p_types) THEN
                        RETURN;
                    END IF;
                    SELECT array_agg(u.position::int) INTO waiting
                    FROM unnest(p_lock_keys) WITH ORDINALITY AS u(lock_key, position)
                    WHERE u.lock_key IS NOT NULL AND NOT (u.position::int = ANY (matched));
                    IF waiting IS NULL THEN
                        RETURN;
                    END IF;
                    PERFORM pg_advisory_xact_lock(l.lock_hash)
                    FROM (SELECT DISTINCT hashtextextended(p_lock_keys[w], 0) AS lock_hash FROM unnest(waiting) AS w ORDER BY 1) l;
                END LOOP;
            END
            $$
            """,
        ]
    )
}
