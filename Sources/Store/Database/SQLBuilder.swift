import PostgresNIO

/// Builds a parameterised SQL statement piece by piece; every value becomes a bind parameter (`$n`).
struct SQLBuilder {
    private(set) var sql: String
    private var bindings = PostgresBindings()

    init(_ sql: String = "") {
        self.sql = sql
    }

    /// Appends SQL text written by the program (never user input).
    mutating func append(_ text: String) {
        sql += text
    }

    /// Appends a bind parameter for `value`.
    mutating func append(bind value: some PostgresNonThrowingEncodable & Sendable) {
        bindings.append(value)
        sql += "$\(bindings.count)"
    }

    /// Appends SQL text written by the program, then a bind parameter for `value` (`" AND id = ", bind: id`).
    mutating func append(_ text: String, bind value: some PostgresNonThrowingEncodable & Sendable) {
        append(text)
        append(bind: value)
    }

    /// The finished statement.
    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: bindings) }
}
