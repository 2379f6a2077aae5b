import Foundation
import NIOCore
import PostgresNIO

/// Which history to list: of one resource, of a type, or of the whole system. The system's history leaves out
/// AuditEvents (kept apart, in `audit_event`): they record who looked at and changed the data rather than
/// being part of it, and each read of the history would otherwise add to it (they stay listed by
/// `AuditEvent/_history` and searchable).
public struct HistoryQuery: Sendable, Hashable {
    public var resourceType: String?
    public var id: String?
    /// Only versions written at or after this time (`_since`).
    public var since: Date?
    /// Only versions written before this time (`_at`-style upper bound), when set.
    public var before: Date?
    /// Page size (`_count`).
    public var count: Int
    /// Versions to skip (paging).
    public var offset: Int

    public init(
        resourceType: String? = nil, id: String? = nil, since: Date? = nil, before: Date? = nil,
        count: Int = 50, offset: Int = 0
    ) {
        self.resourceType = resourceType
        self.id = id
        self.since = since
        self.before = before
        self.count = count
        self.offset = offset
    }
}

extension StoreSession {
    /// Versions matching `query`, newest first.
    public func history(_ query: HistoryQuery) async throws(StoreError) -> [StoredResource] {
        if query.resourceType == Self.auditEventType { return try await auditHistory(query) }
        var sql = SQLBuilder(
            "SELECT resource_type, id, version_id, last_updated, deleted, coalesce(body, ''), method "
                + "FROM resource_history WHERE true"
        )
        if let type = query.resourceType {
            sql.append(" AND resource_type = ", bind: type)
        }
        if let id = query.id {
            sql.append(" AND id = ", bind: id)
        }
        if let since = query.since {
            sql.append(" AND last_updated >= ", bind: since)
        }
        if let before = query.before {
            sql.append(" AND last_updated < ", bind: before)
        }
        sql.append(" ORDER BY seq DESC LIMIT ", bind: query.count)
        sql.append(" OFFSET ", bind: query.offset)
        let statement = sql.query
        return try await database {
            var versions: [StoredResource] = []
            let rows = try await connection.query(statement, logger: logger)
            for try await (type, id, version, lastUpdated, deleted, body, method) in rows.decode(
                (String, String, Int, Date, Bool, ByteBuffer, String).self
            ) {
                versions.append(StoredResource(
                    resourceType: type, id: id, versionId: version, lastUpdated: lastUpdated, deleted: deleted,
                    body: body, method: method
                ))
            }
            return versions
        }
    }
}
