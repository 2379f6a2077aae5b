import FHIRProfiles
import PostgresNIO

/// The SQL and bindings that write a resource's search index rows (all seven tables) inside the statement
/// that writes the resource: each table's rows arrive as parallel arrays expanded by `unnest`.
enum SearchIndexSQL {
    /// The number of bind parameters `append(_:to:)` adds.
    static let parameterCount = 24

    /// One index table: the arrays its rows are bound as (alias and SQL cast, in binding order) and the value
    /// each of its columns after `resource_type` and `id` takes from them.
    struct Table {
        let name: String
        let arrays: [(alias: String, cast: String)]
        let columns: [(name: String, value: String)]

        /// `unnest(...) AS x(...)` over the arrays bound from `$first` on.
        func unnest(first: Int) -> String {
            let arguments = arrays.enumerated().map { "$\(first + $0.offset)::\($0.element.cast)" }
            return "unnest(\(arguments.joined(separator: ", "))) AS x(\(arrays.map(\.alias).joined(separator: ", ")))"
        }

        /// Row `o` of the table holds exactly the values of array row `x`.
        var sameRow: String {
            columns.map { "o.\($0.name) IS NOT DISTINCT FROM \($0.value)" }.joined(separator: " AND ")
        }

        var columnList: String { columns.map(\.name).joined(separator: ", ") }
        var valueList: String { columns.map(\.value).joined(separator: ", ") }
    }

    /// The seven tables, in binding order.
    static let tables = [
        Table(
            name: "search_string", arrays: [("p", "text[]"), ("v", "text[]"), ("e", "text[]")],
            columns: [("param", "p"), ("value", "v"), ("exact", "e")]),
        Table(
            name: "search_token", arrays: [("p", "text[]"), ("s", "text[]"), ("c", "text[]"), ("t", "text[]")],
            columns: [("param", "p"), ("system", "s"), ("code", "c"), ("text", "NULLIF(t, '')")]),
        Table(
            name: "search_date", arrays: [("p", "text[]"), ("l", "float8[]"), ("h", "float8[]")],
            columns: [("param", "p"), ("low", "to_timestamp(l)"), ("high", "to_timestamp(h)")]),
        Table(
            name: "search_reference", arrays: [("p", "text[]"), ("tt", "text[]"), ("ti", "text[]"), ("ur", "text[]")],
            columns: [("param", "p"), ("target_type", "NULLIF(tt, '')"), ("target_id", "NULLIF(ti, '')"), ("url", "NULLIF(ur, '')")]),
        Table(
            name: "search_quantity",
            arrays: [("p", "text[]"), ("v", "text[]::numeric[]"), ("h", "text[]::numeric[]"), ("s", "text[]"), ("c", "text[]")],
            columns: [("param", "p"), ("value", "v"), ("low", "v - h"), ("high", "v + h"), ("system", "s"), ("code", "c")]),
        Table(
            name: "search_number", arrays: [("p", "text[]"), ("v", "text[]::numeric[]"), ("h", "text[]::numeric[]")],
            columns: [("param", "p"), ("value", "v"), ("low", "v - h"), ("high", "v + h")]),
        Table(name: "search_uri", arrays: [("p", "text[]"), ("v", "text[]")], columns: [("param", "p"), ("value", "v")]),
    ]

    /// Each table with the number of its first bind parameter when the rows are bound from `$first` on.
    private static func bound(from first: Int) -> [(table: Table, first: Int)] {
        var next = first
        return tables.map { table in
            defer { next += table.arrays.count }
            return (table, next)
        }
    }

    /// Data-modifying CTEs (`, name AS (...)`) inserting the rows bound from `$first` on, for resource
    /// `type` (an SQL expression) and `id` (an SQL expression), joined with `from` (e.g. `u,` or empty).
    static func insertCTEs(first: Int, type: String, id: String, from: String = "") -> String {
        bound(from: first).map { table, first in
            """
            , i_\(table.name) AS (
                INSERT INTO \(table.name) (resource_type, id, \(table.columnList))
                SELECT \(type), \(id), \(table.valueList) FROM \(from) \(table.unnest(first: first))
            )
            """
        }.joined()
    }

    /// Data-modifying CTEs that make the index rows of the one resource named by CTE `cte` (which returns
    /// `resource_type` and `id`; `type` and `id` are the same as SQL expressions) the rows bound from `$first`
    /// on, touching only the rows that differ: a new version usually indexes as its predecessor did, and
    /// rewriting every row cost most of an update. All parts read the rows as they were before the statement,
    /// so a row kept is neither deleted nor inserted again. Each table is read once for the deletions and once
    /// (`o_`) for the insertions, never once per row: a prepared plan made while a table was small may scan it
    /// whole, and per row that would grow with the table.
    ///
    /// With `changed`, seven booleans bound from `$changed` on (in table order) say which tables to compare; the
    /// others are not read at all (each condition on a bound value alone is decided once, before any row).
    static func replaceCTEs(first: Int, of cte: String, type: String, id: String, changed: Int? = nil) -> String {
        bound(from: first).enumerated().map { index, bound in
            let (table, first) = bound
            let only = changed.map { "$\($0 + index)::boolean AND " } ?? ""
            return """
                , d_\(table.name) AS (
                    DELETE FROM \(table.name) o USING \(cte)
                    WHERE \(only)o.resource_type = \(cte).resource_type AND o.id = \(cte).id
                    AND NOT EXISTS (SELECT 1 FROM \(table.unnest(first: first)) WHERE \(table.sameRow))
                ), o_\(table.name) AS MATERIALIZED (
                    SELECT \(table.columnList) FROM \(table.name) WHERE \(only)resource_type = \(type) AND id = \(id)
                ), i_\(table.name) AS (
                    INSERT INTO \(table.name) (resource_type, id, \(table.columnList))
                    SELECT \(type), \(id), \(table.valueList) FROM \(cte), \(table.unnest(first: first))
                    WHERE \(only)NOT EXISTS (SELECT 1 FROM o_\(table.name) o WHERE \(table.sameRow))
                )
                """
        }.joined()
    }

    /// Data-modifying CTEs deleting the index rows of the resources named by CTE `cte` (which returns
    /// `resource_type` and `id`).
    static func deleteCTEs(of cte: String) -> String {
        tables.map {
            ", d_\($0.name) AS (DELETE FROM \($0.name) WHERE (resource_type, id) IN (SELECT resource_type, id FROM \(cte)))"
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
