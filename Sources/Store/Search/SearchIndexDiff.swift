import FHIRProfiles

extension SearchIndexEntries {
    /// The rows of these entries whose values `other` does not hold, table by table (repeated rows kept as
    /// they are): with the current rows as `self` and the next version's as `other`, the rows to delete; the
    /// other way round, the rows to insert.
    func subtracting(_ other: SearchIndexEntries) -> SearchIndexEntries {
        var rest = SearchIndexEntries()
        rest.strings = Self.subtract(strings, other.strings)
        rest.tokens = Self.subtract(tokens, other.tokens)
        rest.dates = Self.subtract(dates, other.dates)
        rest.references = Self.subtract(references, other.references)
        rest.quantities = Self.subtract(quantities, other.quantities)
        rest.numbers = Self.subtract(numbers, other.numbers)
        rest.uris = Self.subtract(uris, other.uris)
        return rest
    }

    private static func subtract<Row: Hashable>(_ rows: [Row], _ other: [Row]) -> [Row] {
        guard !rows.isEmpty, !other.isEmpty else { return rows }
        let held = Set(other)
        return rows.filter { !held.contains($0) }
    }
}
