import PostgresNIO

/// A prepared statement whose rows are a single integer each (`RETURNING 1` or a count): the writes whose
/// callers only need to know how many rows they touched (`StoreSession.rowCount(of:)`).
protocol CountingStatement: PostgresPreparedStatement where Row == Int {}

extension CountingStatement {
    func decodeRow(_ row: PostgresRow) throws -> Int {
        try row.decode(Int.self)
    }
}
