import FHIRCore
import FHIRProfiles
import Logging
import NIOCore
import PostgresNIO

/// Replaces the search index rows of one resource (all seven tables) with the ones bound, in one statement,
/// writing only the rows that changed, and records their digest.
struct ReindexStatement: CountingStatement {
    static let name = "carebridge_reindex"
    static let sql = """
        WITH r AS (SELECT $1::text AS resource_type, $2::text AS id)\
        \(SearchIndexSQL.replaceCTEs(first: 3, of: "r", type: "$1", id: "$2")), digest AS (
            UPDATE resource SET index_digest = $27 WHERE resource_type = $1 AND id = $2
        )
        SELECT 1
        """

    let type: String
    let id: String
    let entries: SearchIndexEntries

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3 + SearchIndexSQL.parameterCount)
        bindings.append(type)
        bindings.append(id)
        SearchIndexSQL.append(entries, to: &bindings)
        bindings.append(ByteBuffer(bytes: entries.digest))
        return bindings
    }
}

/// Where a reindex has got to: the last resource done, in `(resource_type, id)` order.
public struct ReindexPosition: Sendable, Hashable {
    public var resourceType: String
    public var id: String
}

extension StoreSession {
    /// The index rows of `resource`; parameters whose expression failed on it are logged (the write goes on without them).
    func indexEntries(for resource: FHIRResource) -> SearchIndexEntries {
        let entries = indexer.entries(for: resource)
        if !entries.failures.isEmpty {
            logger.warning("search parameters not indexed", metadata: [
                "resource": "\(resource.resourceType)/\(resource.id ?? "")",
                "failures": "\(entries.failures.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" })",
            ])
        }
        return entries
    }

    /// The index rows the stored body of `current` gives, or nil when it does not read as a resource. When their
    /// digest is the stored one, they are the rows the resource has (see `replace`).
    func indexEntries(of current: StoredResource) -> SearchIndexEntries? {
        guard let resource = try? FHIRResource(parsing: current.body.readableBytesView) else { return nil }
        return indexer.entries(for: resource)
    }

    /// Rebuilds the index rows of up to `limit` current resources after `position` (from the start when nil),
    /// in `(resource_type, id)` order; returns how many were done and the last one (nil when none was left).
    public func reindex(after position: ReindexPosition?, limit: Int) async throws(StoreError) -> (count: Int, last: ReindexPosition?) {
        let afterType = position?.resourceType ?? ""
        let afterID = position?.id ?? ""
        let batch = try await database {
            let rows = try await connection.query(
                """
                SELECT resource_type, id, body FROM resource
                WHERE NOT deleted AND (resource_type, id) > (\(afterType), \(afterID))
                ORDER BY resource_type, id LIMIT \(limit)
                """,
                logger: logger
            )
            var batch: [(String, String, ByteBuffer)] = []
            for try await row in rows.decode((String, String, ByteBuffer).self) { batch.append(row) }
            return batch
        }
        for (type, id, body) in batch {
            let resource: FHIRResource
            do {
                resource = try FHIRResource(parsing: body.readableBytesView)
            } catch {
                throw StoreError(.database, "\(type)/\(id): the stored body does not parse: \(error)")
            }
            let statement = ReindexStatement(type: type, id: id, entries: indexEntries(for: resource))
            try await rowCount(of: statement)
        }
        return (batch.count, batch.last.map { ReindexPosition(resourceType: $0.0, id: $0.1) })
    }
}

extension ResourceStore {
    /// Rebuilds every search index row of every current resource from its stored body (after a profile
    /// change), `batchSize` resources per transaction; `progress` is told the running total after each batch.
    @discardableResult
    public func reindex(batchSize: Int = 500, progress: @Sendable (Int) -> Void = { _ in }) async throws -> Int {
        var position: ReindexPosition?
        var total = 0
        while true {
            let after = position
            let (count, last) = try await withTransaction { session in
                try await session.reindex(after: after, limit: batchSize)
            }
            guard let last else { return total }
            total += count
            position = last
            progress(total)
        }
    }
}
