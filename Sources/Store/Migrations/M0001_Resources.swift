extension Migration {
    /// Current versions and full history of every resource.
    static let resources = Migration(
        version: 1,
        name: "resources",
        statements: [
            """
            CREATE TABLE resource (
                resource_type text NOT NULL,
                id text NOT NULL,
                version_id integer NOT NULL,
                last_updated timestamptz NOT NULL,
                deleted boolean NOT NULL DEFAULT false,
                body text NOT NULL,
                PRIMARY KEY (resource_type, id)
            )
            """,
            """
            CREATE TABLE resource_history (
                seq bigserial PRIMARY KEY,
                resource_type text NOT NULL,
                id text NOT NULL,
                version_id integer NOT NULL,
                last_updated timestamptz NOT NULL,
                method text NOT NULL,
                deleted boolean NOT NULL,
                body text,
                UNIQUE (resource_type, id, version_id)
            )
            """,
            "CREATE INDEX resource_history_by_type_time ON resource_history (resource_type, last_updated)",
            "CREATE INDEX resource_history_by_time ON resource_history (last_updated)",
        ]
    )
}
