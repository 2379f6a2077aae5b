extension Migration {
    /// Token search index (system|code per parameter; no system is stored as an empty string).
    static let searchTokens = Migration(
        version: 2,
        name: "search_tokens",
        statements: [
            """
            CREATE TABLE search_token (
                resource_type text NOT NULL,
                id text NOT NULL,
                param text NOT NULL,
                system text NOT NULL,
                code text NOT NULL
            )
            """,
            "CREATE INDEX search_token_by_code ON search_token (resource_type, param, code, system)",
            "CREATE INDEX search_token_by_resource ON search_token (resource_type, id)",
        ]
    )
}
