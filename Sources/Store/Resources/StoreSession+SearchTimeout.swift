import PostgresNIO

extension StoreSession {
    /// Runs `work` (the statements of one search) with PostgreSQL's `statement_timeout` set to the search
    /// timeout, and puts the connection's own setting back afterwards, so that a costly search is stopped by
    /// the database (`tooCostly`) instead of holding a connection and a core.
    ///
    /// The setting is made for the connection rather than `SET LOCAL`, because a search usually runs outside
    /// a transaction; inside one that fails, the rollback undoes it as well.
    func bounded<T>(_ work: () async throws(StoreError) -> T) async throws(StoreError) -> T {
        guard let searchTimeout else { return try await work() }
        try await database {
            try await connection.query(
                "SET statement_timeout = \(unescaped: String(searchTimeout.settingMilliseconds))", logger: logger)
        }
        let result: T
        do {
            result = try await work()
        } catch {
            if error.code == .tooCostly {
                logger.notice("search stopped by the search timeout", metadata: ["timeout": "\(searchTimeout)"])
            }
            _ = try? await connection.query("RESET statement_timeout", logger: logger)
            throw error
        }
        try await database { try await connection.query("RESET statement_timeout", logger: logger) }
        return result
    }
}

extension StoreSession {
    /// Makes every statement of the current transaction that waits longer than `limit` for a lock fail
    /// (`lock_timeout`, set for the transaction only) instead of waiting on. For transactions that have a cheaper
    /// way out than waiting: the ingest batches, whose row locks, taken in the order their messages came, can
    /// deadlock with another batch's, which PostgreSQL would only find after `deadlock_timeout` (a second by default).
    public func limitLockWaits(to limit: Duration) async throws(StoreError) {
        try await database {
            _ = try await connection.query(
                "SELECT set_config('lock_timeout', \("\(limit.settingMilliseconds)ms"), true)", logger: logger
            ).collect()
        }
    }
}

extension Duration {
    /// The duration in whole milliseconds, at least 1, for a PostgreSQL timeout setting (0 would mean none).
    var settingMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return max(1, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
