extension Migration {
    /// Indexes and statistics found with the search benchmark (`Benchmarks/search`, 1.1 million resources).
    ///
    /// - `search_string_by_exact`: `:exact` compares `exact`, which no index covered, so `family:exact=Li`
    ///   read every `family` row of the type (110 ms; 6 ms with the index).
    /// - `search_token_by_code` gains `id`, so a token clause (`code=http://loinc.org|2093-3`, 40,000 rows) is an
    ///   index-only scan instead of one heap page per row.
    /// - Statistics on the combination (type, param, system, code): without them the planner multiplies the
    ///   columns' separate frequencies and expects 2,000 rows for a LOINC code that has 40,000, and picks plans
    ///   that are right only for rare codes (`_has:Observation:patient:code=...`: 1.2 s, 60 ms with them).
    static let searchIndexCoverage = Migration(
        version: 5,
        name: "search_index_coverage",
        statements: [
            "CREATE INDEX search_string_by_exact ON search_string (resource_type, param, exact)",
            "DROP INDEX search_token_by_code",
            "CREATE INDEX search_token_by_code ON search_token (resource_type, param, code, system, id)",
            """
            CREATE STATISTICS search_token_by_code_statistics (mcv, dependencies)
                ON resource_type, param, system, code FROM search_token
            """,
        ]
    )
}
