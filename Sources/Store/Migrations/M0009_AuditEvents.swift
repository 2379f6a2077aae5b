extension Migration {
    /// The audit trail in its own append-only table instead of the resource, history and index tables: an
    /// AuditEvent is written once and never changed, so it needs no history row, and its search values are
    /// one array of terms (`AuditTerms`) under one GIN index rather than a dozen index rows in two B-trees
    /// each. Events stored before are moved with their terms unset; `ResourceStore.indexAuditEvents` fills
    /// them in from their bodies.
    static let auditEvents = Migration(
        version: 9,
        name: "audit_events",
        statements: [
            """
            CREATE TABLE audit_event (
                id text PRIMARY KEY,
                recorded timestamptz NOT NULL,
                last_updated timestamptz NOT NULL,
                body text NOT NULL,
                terms text[]
            )
            """,
            "CREATE INDEX audit_event_by_recorded ON audit_event (recorded, id)",
            "CREATE INDEX audit_event_by_last_updated ON audit_event (last_updated, id)",
            "CREATE INDEX audit_event_by_term ON audit_event USING gin (terms)",
            "CREATE INDEX audit_event_unindexed ON audit_event (id) WHERE terms IS NULL",
            """
            INSERT INTO audit_event (id, recorded, last_updated, body, terms)
            SELECT id, coalesce((body::jsonb ->> 'recorded')::timestamptz, last_updated), last_updated, body, NULL
            FROM resource WHERE resource_type = 'AuditEvent' AND NOT deleted
            """,
            "DELETE FROM search_string WHERE resource_type = 'AuditEvent'",
            "DELETE FROM search_token WHERE resource_type = 'AuditEvent'",
            "DELETE FROM search_date WHERE resource_type = 'AuditEvent'",
            "DELETE FROM search_reference WHERE resource_type = 'AuditEvent'",
            "DELETE FROM search_quantity WHERE resource_type = 'AuditEvent'",
            "DELETE FROM search_number WHERE resource_type = 'AuditEvent'",
            "DELETE FROM search_uri WHERE resource_type = 'AuditEvent'",
            "DELETE FROM resource_history WHERE resource_type = 'AuditEvent'",
            "DELETE FROM resource WHERE resource_type = 'AuditEvent'",
        ]
    )
}
