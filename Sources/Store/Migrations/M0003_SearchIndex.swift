extension Migration {
    /// The search index: one table per search parameter type, rows per resource and parameter, written in
    /// the same transaction as the resource version they describe (https://hl7.org/fhir/R4/search.html).
    ///
    /// - `search_string.value` is `SearchText.normalized` (case- and accent-free) for default/prefix and
    ///   `:contains` matching; `exact` keeps the original for `:exact`.
    /// - `search_token.text` is the normalised display text (Coding.display, CodeableConcept.text,
    ///   Identifier.type.text) for `:text`; `system` is '' when there is none.
    /// - `search_date` holds the half-open range `[low, high)` the value covers at its precision; an open
    ///   Period end is `infinity`.
    /// - `search_reference` keeps `target_type`/`target_id` for local references and `url` for absolute or
    ///   canonical ones (with `version` split off canonicals).
    /// - `search_quantity`/`search_number` keep the value and the range its significant digits imply
    ///   (`100` means [99.5, 100.5)), for `eq`/`ap` per the spec.
    static let searchIndex = Migration(
        version: 3,
        name: "search_index",
        statements: [
            "ALTER TABLE search_token ADD COLUMN text text",
            """
            CREATE TABLE search_string (
                resource_type text NOT NULL, id text NOT NULL, param text NOT NULL,
                value text NOT NULL, exact text NOT NULL
            )
            """,
            "CREATE INDEX search_string_by_value ON search_string (resource_type, param, value text_pattern_ops)",
            "CREATE INDEX search_string_by_resource ON search_string (resource_type, id)",
            """
            CREATE TABLE search_date (
                resource_type text NOT NULL, id text NOT NULL, param text NOT NULL,
                low timestamptz NOT NULL, high timestamptz NOT NULL
            )
            """,
            "CREATE INDEX search_date_by_low ON search_date (resource_type, param, low)",
            "CREATE INDEX search_date_by_high ON search_date (resource_type, param, high)",
            "CREATE INDEX search_date_by_resource ON search_date (resource_type, id)",
            """
            CREATE TABLE search_reference (
                resource_type text NOT NULL, id text NOT NULL, param text NOT NULL,
                target_type text, target_id text, url text
            )
            """,
            "CREATE INDEX search_reference_by_target ON search_reference (resource_type, param, target_id, target_type)",
            "CREATE INDEX search_reference_reverse ON search_reference (target_type, target_id)",
            "CREATE INDEX search_reference_by_url ON search_reference (resource_type, param, url)",
            "CREATE INDEX search_reference_by_resource ON search_reference (resource_type, id)",
            """
            CREATE TABLE search_quantity (
                resource_type text NOT NULL, id text NOT NULL, param text NOT NULL,
                value numeric NOT NULL, low numeric NOT NULL, high numeric NOT NULL,
                system text NOT NULL, code text NOT NULL
            )
            """,
            "CREATE INDEX search_quantity_by_value ON search_quantity (resource_type, param, value)",
            "CREATE INDEX search_quantity_by_resource ON search_quantity (resource_type, id)",
            """
            CREATE TABLE search_number (
                resource_type text NOT NULL, id text NOT NULL, param text NOT NULL,
                value numeric NOT NULL, low numeric NOT NULL, high numeric NOT NULL
            )
            """,
            "CREATE INDEX search_number_by_value ON search_number (resource_type, param, value)",
            "CREATE INDEX search_number_by_resource ON search_number (resource_type, id)",
            """
            CREATE TABLE search_uri (
                resource_type text NOT NULL, id text NOT NULL, param text NOT NULL, value text NOT NULL
            )
            """,
            "CREATE INDEX search_uri_by_value ON search_uri (resource_type, param, value text_pattern_ops)",
            "CREATE INDEX search_uri_by_resource ON search_uri (resource_type, id)",
            "CREATE INDEX resource_by_type_updated ON resource (resource_type, last_updated)",
        ]
    )
}
