import PostgresNIO

/// `BEGIN` as a prepared statement: parsed once per connection, then sent as a bind and execute without its
/// text (a transaction per inbound message or batch makes it one of the most frequent statements).
struct BeginStatement: TransactionControlStatement {
    static let name = "carebridge_begin"
    static let sql = "BEGIN"
}

/// `COMMIT` as a prepared statement (see `BeginStatement`).
struct CommitStatement: TransactionControlStatement {
    static let name = "carebridge_commit"
    static let sql = "COMMIT"
}

/// A statement that takes no parameters and returns no rows.
protocol TransactionControlStatement: PostgresPreparedStatement where Row == Int {
    init()
}

extension TransactionControlStatement {
    func makeBindings() throws -> PostgresBindings {
        PostgresBindings()
    }

    func decodeRow(_ row: PostgresRow) throws -> Int {
        try row.decode(Int.self)
    }
}

extension PostgresConnection {
    /// Runs `BEGIN` or `COMMIT` (`statement`).
    func run<Statement: TransactionControlStatement>(_ statement: Statement.Type, logger: Logger) async throws {
        for try await _ in try await execute(Statement(), logger: logger) {}
    }
}
