import FHIRProfiles
import PostgresNIO

/// The SQL and bindings that write a resource's search index rows (all seven tables) inside the statement
/// that writes the resource: each table's rows arrive as parallel arrays expanded by `unnest`.
enum SearchIndexSQL {
    /// The number of bind parameters `append(_:to:)` adds.
    static let parameterCount = 24

    /// Data-modifying CTEs (`, name AS (...)`) inserting the rows bound from `$first` on, for resource
    /// `type` (an SQL expression) and `id` (an SQL expression), joined with `from` (e.g. `u,` or empty).
    static func insertCTEs(first: Int, type: String, id: String, from: String = "") -> String {
        func p(_ offset: Int) -> String { "$\(first + offset)" }
        return """
            , i_string AS (
                INSERT INTO search_string (resource_type, id, param, value, exact)
                SELECT \(type), \(id), p, v, e FROM \(from) unnest(\(p(0))::text[], \(p(1))::text[], \(p(2))::text[]) AS x(p, v, e)
            ), i_token AS (
                INSERT INTO search_token (resource_type, id, param, system, code, text)
                SELECT \(type), \(id), p, s, c, NULLIF(t, '')
                FROM \(from) unnest(\(p(3))::text[], \(p(4))::text[], \(p(5))::text[], \(p(6))::text[]) AS x(p, s, c, t)
            ), i_date AS (
                INSERT INTO search_date (resource_type, id, param, low, high)
                SELECT \(type), \(id), p, to_timestamp(l), to_timestamp(h)
                FROM \(from) unnest(\(p(7))::text[], \(p(8))::float8[], \(p(9))::float8[]) AS x(p, l, h)
            ), i_reference AS (
                INSERT INTO search_reference (resource_type, id, param, target_type, target_id, url)
                SELECT \(type), \(id), p, NULLIF(tt, ''), NULLIF(ti, ''), NULLIF(u, '')
                FROM \(from) unnest(\(p(10))::text[], \(p(11))::text[], \(p(12))::text[], \(p(13))::text[]) AS x(p, tt, ti, u)
            ), i_quantity AS (
                INSERT INTO search_quantity (resource_type, id, param, value, low, high, system, code)
                SELECT \(type), \(id), p, v, v - h, v + h, s, c
                FROM \(from) unnest(\(p(14))::text[], \(p(15))::text[]::numeric[], \(p(16))::text[]::numeric[],
                    \(p(17))::text[], \(p(18))::text[]) AS x(p, v, h, s, c)
            ), i_number AS (
                INSERT INTO search_number (resource_type, id, param, value, low, high)
                SELECT \(type), \(id), p, v, v - h, v + h
                FROM \(from) unnest(\(p(19))::text[], \(p(20))::text[]::numeric[], \(p(21))::text[]::numeric[]) AS x(p, v, h)
            ), i_uri AS (
                INSERT INTO search_uri (resource_type, id, param, value)
                SELECT \(type), \(id), p, v FROM \(from) unnest(\(p(22))::text[], \(p(23))::text[]) AS x(p, v)
            )
            """
    }

    /// The number of bind parameters `appendBulk(_:to:)` adds: the single-resource ones plus one id array per table.
    static let bulkParameterCount = parameterCount + 7

    /// As `insertCTEs`, for the rows of many resources of type `type` at once: each table's rows carry the id
    /// of their resource in an extra array bound first (`$first` is the string rows' ids, then their columns,
    /// and so on table by table, as `appendBulk` binds them).
    static func bulkInsertCTEs(first: Int, type: String) -> String {
        var next = first
        func p() -> String {
            defer { next += 1 }
            return "$\(next)"
        }
        return """
            , i_string AS (
                INSERT INTO search_string (resource_type, id, param, value, exact)
                SELECT \(type), r, p, v, e FROM unnest(\(p())::text[], \(p())::text[], \(p())::text[], \(p())::text[]) AS x(r, p, v, e)
            ), i_token AS (
                INSERT INTO search_token (resource_type, id, param, system, code, text)
                SELECT \(type), r, p, s, c, NULLIF(t, '')
                FROM unnest(\(p())::text[], \(p())::text[], \(p())::text[], \(p())::text[], \(p())::text[]) AS x(r, p, s, c, t)
            ), i_date AS (
                INSERT INTO search_date (resource_type, id, param, low, high)
                SELECT \(type), r, p, to_timestamp(l), to_timestamp(h)
                FROM unnest(\(p())::text[], \(p())::text[], \(p())::float8[], \(p())::float8[]) AS x(r, p, l, h)
            ), i_reference AS (
                INSERT INTO search_reference (resource_type, id, param, target_type, target_id, url)
                SELECT \(type), r, p, NULLIF(tt, ''), NULLIF(ti, ''), NULLIF(u, '')
                FROM unnest(\(p())::text[], \(p())::text[], \(p())::text[], \(p())::text[], \(p())::text[]) AS x(r, p, tt, ti, u)
            ), i_quantity AS (
                INSERT INTO search_quantity (resource_type, id, param, value, low, high, system, code)
                SELECT \(type), r, p, v, v - h, v + h, s, c
                FROM unnest(\(p())::text[], \(p())::text[], \(p())::text[]::numeric[], \(p())::text[]::numeric[],
                    \(p())::text[], \(p())::text[]) AS x(r, p, v, h, s, c)
            ), i_number AS (
                INSERT INTO search_number (resource_type, id, param, value, low, high)
                SELECT \(type), r, p, v, v - h, v + h
                FROM unnest(\(p())::text[], \(p())::text[], \(p())::text[]::numeric[], \(p())::text[]::numeric[]) AS x(r, p, v, h)
            ), i_uri AS (
                INSERT INTO search_uri (resource_type, id, param, value)
                SELECT \(type), r, p, v FROM unnest(\(p())::text[], \(p())::text[], \(p())::text[]) AS x(r, p, v)
            )
            """
    }

    /// Binds the rows of many resources in the order `bulkInsertCTEs` expects.
    static func appendBulk(_ resources: [(id: String, entries: SearchIndexEntries)], to bindings: inout PostgresBindings) {
        func ids<Row>(_ rows: (SearchIndexEntries) -> [Row]) -> [String] {
            resources.flatMap { resource in rows(resource.entries).map { _ in resource.id } }
        }
        let all = resources.map(\.entries)
        bindings.append(ids(\.strings))
        bindings.append(all.flatMap { $0.strings.map(\.parameter) })
        bindings.append(all.flatMap { $0.strings.map(\.value) })
        bindings.append(all.flatMap { $0.strings.map(\.exact) })
        bindings.append(ids(\.tokens))
        bindings.append(all.flatMap { $0.tokens.map(\.parameter) })
        bindings.append(all.flatMap { $0.tokens.map(\.system) })
        bindings.append(all.flatMap { $0.tokens.map(\.code) })
        bindings.append(all.flatMap { $0.tokens.map(\.text) })
        bindings.append(ids(\.dates))
        bindings.append(all.flatMap { $0.dates.map(\.parameter) })
        bindings.append(all.flatMap { $0.dates.map(\.low) })
        bindings.append(all.flatMap { $0.dates.map(\.high) })
        bindings.append(ids(\.references))
        bindings.append(all.flatMap { $0.references.map(\.parameter) })
        bindings.append(all.flatMap { $0.references.map(\.targetType) })
        bindings.append(all.flatMap { $0.references.map(\.targetID) })
        bindings.append(all.flatMap { $0.references.map(\.url) })
        bindings.append(ids(\.quantities))
        bindings.append(all.flatMap { $0.quantities.map(\.number.parameter) })
        bindings.append(all.flatMap { $0.quantities.map(\.number.value) })
        bindings.append(all.flatMap { $0.quantities.map(\.number.halfUnit) })
        bindings.append(all.flatMap { $0.quantities.map(\.system) })
        bindings.append(all.flatMap { $0.quantities.map(\.code) })
        bindings.append(ids(\.numbers))
        bindings.append(all.flatMap { $0.numbers.map(\.parameter) })
        bindings.append(all.flatMap { $0.numbers.map(\.value) })
        bindings.append(all.flatMap { $0.numbers.map(\.halfUnit) })
        bindings.append(ids(\.uris))
        bindings.append(all.flatMap { $0.uris.map(\.parameter) })
        bindings.append(all.flatMap { $0.uris.map(\.value) })
    }

    /// Every index table, for deleting a resource's rows.
    static let tables = [
        "search_string", "search_token", "search_date", "search_reference", "search_quantity", "search_number", "search_uri",
    ]

    /// Data-modifying CTEs deleting the index rows of the resources named by CTE `cte` (which returns
    /// `resource_type` and `id`).
    static func deleteCTEs(of cte: String) -> String {
        tables.map {
            ", d_\($0) AS (DELETE FROM \($0) WHERE (resource_type, id) IN (SELECT resource_type, id FROM \(cte)))"
        }.joined()
    }

    /// Binds the rows of `entries` in the order `insertCTEs` expects.
    static func append(_ entries: SearchIndexEntries, to bindings: inout PostgresBindings) {
        bindings.append(entries.strings.map(\.parameter))
        bindings.append(entries.strings.map(\.value))
        bindings.append(entries.strings.map(\.exact))
        bindings.append(entries.tokens.map(\.parameter))
        bindings.append(entries.tokens.map(\.system))
        bindings.append(entries.tokens.map(\.code))
        bindings.append(entries.tokens.map(\.text))
        bindings.append(entries.dates.map(\.parameter))
        bindings.append(entries.dates.map(\.low))
        bindings.append(entries.dates.map(\.high))
        bindings.append(entries.references.map(\.parameter))
        bindings.append(entries.references.map(\.targetType))
        bindings.append(entries.references.map(\.targetID))
        bindings.append(entries.references.map(\.url))
        bindings.append(entries.quantities.map(\.number.parameter))
        bindings.append(entries.quantities.map(\.number.value))
        bindings.append(entries.quantities.map(\.number.halfUnit))
        bindings.append(entries.quantities.map(\.system))
        bindings.append(entries.quantities.map(\.code))
        bindings.append(entries.numbers.map(\.parameter))
        bindings.append(entries.numbers.map(\.value))
        bindings.append(entries.numbers.map(\.halfUnit))
        bindings.append(entries.uris.map(\.parameter))
        bindings.append(entries.uris.map(\.value))
    }
}
