extension Migration {
    /// `resource.index_digest`: the SHA-256 of the search index rows the resource has now (see
    /// `SearchIndexEntries.digest`), NULL when not known (rows written before this migration, a deleted
    /// resource). An update whose new rows have the same digest writes the resource and its history row only,
    /// without reading or diffing the seven index tables: most updates (an ADT^A08 resent with the same
    /// demographics, a status change of an unindexed element) index exactly as before.
    static let indexDigest = Migration(
        version: 12,
        name: "index_digest",
        statements: ["ALTER TABLE resource ADD COLUMN index_digest bytea"]
    )
}
