extension Migration {
    /// Both look-up functions fetch each matching resource by its primary key, whatever the planner knew when it
    /// planned them. Their `LATERAL` subquery over `resource` was pulled up into the join, and a plan made while the
    /// table was empty or never analysed (a new hub's first messages; the functions' plans are kept for the life of
    /// the connection) read every resource of the type through `resource_by_type_updated` and kept the one whose
    /// id matched: with 2,000 patients a look-up read 2,000 rows, and it grew with the table until an analyse made
    /// PostgreSQL plan again. `OFFSET 0` keeps the subquery a subquery, so it is planned alone, with the type and
    /// the id as its parameters, and the primary key is its only sensible index. Otherwise unchanged from
    /// migrations 15 and 18 (same arguments and rows, so the callers are too).
    static let lookUpByPrimaryKey = Migration(
        version: 19,
        name: "look_up_by_primary_key",
        statements: [
            """
            CREATE OR REPLACE FUNCTION carebridge_token_match(
                p_type text, p_param text, p_system text, p_code text, p_limit int, p_lock_key text
            ) RETURNS TABLE (id text, version_id integer, last_updated timestamptz, body text, index_digest bytea)
            LANGUAGE plpgsql VOLATILE SET enable_seqscan = off AS $$
            BEGIN
                FOR look IN 1..2 LOOP
                    RETURN QUERY SELECT r.id, r.version_id, r.last_updated, r.body, r.index_digest
                        FROM (SELECT DISTINCT x.id FROM search_token x
                              WHERE x.resource_type = p_type AND x.param = p_param AND x.system = p_system
                                AND x.code = p_code) m
                        CROSS JOIN LATERAL (
                            SELECT * FROM resource c WHERE c.resource_type = p_type AND c.id = m.id OFFSET 0
                        ) r
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
            """
            CREATE OR REPLACE FUNCTION carebridge_token_matches(
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
                            CROSS JOIN LATERAL (
                                SELECT * FROM resource t WHERE t.resource_type = k.type AND t.id = m.id OFFSET 0
                            ) c
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
