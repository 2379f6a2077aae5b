import Logging
import PostgresNIO

extension StoreSession {
    /// Runs `write` (which returns what it wrote and the change, or nil when it wrote nothing) so that its
    /// change reaches the observer in the same transaction: inside a transaction it is journaled for the
    /// commit; outside one, a write the observer watches gets a transaction of its own with its events.
    func observed<T: Sendable>(
        _ resourceType: String, _ write: (StoreSession) async throws(StoreError) -> (T, ResourceChange)?
    ) async throws(StoreError) -> T? {
        guard let observer, observer.observes(resourceType) else { return try await write(self)?.0 }
        guard journal == nil else { return try await journaled(write) }
        let inner = StoreSession(
            connection: connection, indexer: indexer, logger: logger, observer: observer, journal: ChangeJournal(),
            searchTimeout: searchTimeout
        )
        return try await inner.transaction { session throws(StoreError) in try await session.journaled(write) }
    }

    /// Runs `write` and puts its change in this session's journal.
    private func journaled<T: Sendable>(
        _ write: (StoreSession) async throws(StoreError) -> (T, ResourceChange)?
    ) async throws(StoreError) -> T? {
        guard let (written, change) = try await write(self) else { return nil }
        journal?.append(change)
        return written
    }

    /// Runs `work` in a database transaction on this session's connection; before committing, the observer
    /// records the changes the transaction journaled, and after, it is told they committed. For a session of
    /// `ResourceStore.withSession`, to run several transactions on one connection; not to be nested.
    public nonisolated(nonsending) func transaction<T: Sendable>(_ work: (StoreSession) async throws -> T) async throws -> T {
        let session = journal == nil
            ? StoreSession(
                connection: connection, indexer: indexer, logger: logger, observer: observer, journal: ChangeJournal(),
                searchTimeout: searchTimeout, prefetched: PrefetchedRows()
            )
            : self
        try await database { try await connection.run(BeginStatement.self, logger: logger) }
        let result: T
        let changes: [ResourceChange]
        do {
            result = try await work(session)
            changes = session.journal?.drain() ?? []
            if let observer, !changes.isEmpty {
                try await observer.record(changes, in: session.unobserved)
            }
            try await database { try await connection.run(CommitStatement.self, logger: logger) }
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
        if let observer, !changes.isEmpty { observer.committed(changes) }
        return result
    }

    /// The same transaction typed for writes that only throw `StoreError`.
    nonisolated(nonsending) func transaction<T: Sendable>(_ work: (StoreSession) async throws(StoreError) -> T) async throws(StoreError) -> T {
        do {
            return try await transaction { (session: StoreSession) async throws -> T in try await work(session) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.database, "database error")
        }
    }

    /// This session without an observer: what an observer writes is not observed again.
    var unobserved: StoreSession {
        StoreSession(
            connection: connection, indexer: indexer, logger: logger, observer: nil, journal: nil, searchTimeout: searchTimeout
        )
    }
}
