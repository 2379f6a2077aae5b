import FHIRCore
import FHIRProfiles
import Foundation
import NIOCore
import PostgresNIO

/// Reads of the audit trail's `audit_event` table, where `read`, `search`, `count` and `history` go for
/// AuditEvents. Each event has exactly one version, written by the server (`POST`).
extension StoreSession {
    /// The resource type kept in `audit_event`.
    static let auditEventType = "AuditEvent"

    static let auditColumns = "a.id, a.last_updated, a.body"

    /// AuditEvent `id`, or nil.
    func auditEvent(_ id: String) async throws(StoreError) -> StoredResource? {
        var sql = SQLBuilder("SELECT \(Self.auditColumns) FROM audit_event a WHERE a.id = ")
        sql.append(bind: id)
        return try await auditEvents(sql.query).first
    }

    /// One page of the AuditEvents matching `query`, in its sort order, from `query.offset`.
    func searchAuditEvents(_ query: SearchQuery, count: Int) async throws(StoreError) -> [StoredResource] {
        var sql = SQLBuilder("SELECT \(Self.auditColumns) FROM audit_event a")
        try query.appendAuditFilter(to: &sql)
        try query.appendAuditOrder(to: &sql)
        sql.append(" LIMIT ", bind: count)
        sql.append(" OFFSET ", bind: query.offset)
        let statement = sql.query
        return try await bounded { () throws(StoreError) in try await auditEvents(statement) }
    }

    /// How many AuditEvents match `query`.
    func countAuditEvents(_ query: SearchQuery) async throws(StoreError) -> Int {
        var sql = SQLBuilder("SELECT count(*) FROM audit_event a")
        try query.appendAuditFilter(to: &sql)
        return try await count(sql.query)
    }

    /// The AuditEvents `query` (of type AuditEvent) lists, newest first: each event is its only version.
    func auditHistory(_ query: HistoryQuery) async throws(StoreError) -> [StoredResource] {
        var sql = SQLBuilder("SELECT \(Self.auditColumns) FROM audit_event a WHERE true")
        if let id = query.id { sql.append(" AND a.id = ", bind: id) }
        if let since = query.since { sql.append(" AND a.last_updated >= ", bind: since) }
        if let before = query.before { sql.append(" AND a.last_updated < ", bind: before) }
        sql.append(" ORDER BY a.last_updated DESC, a.id DESC LIMIT ", bind: query.count)
        sql.append(" OFFSET ", bind: query.offset)
        return try await auditEvents(sql.query)
    }

    private func auditEvents(_ statement: PostgresQuery) async throws(StoreError) -> [StoredResource] {
        try await database {
            var found: [StoredResource] = []
            let rows = try await connection.query(statement, logger: logger)
            for try await (id, lastUpdated, body) in rows.decode((String, Date, ByteBuffer).self) {
                found.append(StoredResource(
                    resourceType: Self.auditEventType, id: id, versionId: 1, lastUpdated: lastUpdated, deleted: false,
                    body: body, method: "POST"
                ))
            }
            return found
        }
    }

    /// Sets the terms of up to `limit` AuditEvents from their bodies, in id order: those that have none (moved by
    /// migration 9) when `after` is nil, otherwise every one whose id follows `after` (a reindex). Returns the
    /// ids done.
    func indexAuditEventBatch(after: String?, limit: Int) async throws(StoreError) -> [String] {
        let unindexed = try await database {
            var rows: [(String, String)] = []
            let query: PostgresQuery = if let after {
                "SELECT id, body FROM audit_event WHERE id > \(after) ORDER BY id LIMIT \(limit)"
            } else {
                "SELECT id, body FROM audit_event WHERE terms IS NULL ORDER BY id LIMIT \(limit)"
            }
            for try await row in try await connection.query(query, logger: logger).decode((String, String).self) {
                rows.append(row)
            }
            return rows
        }
        let terms = unindexed.map { _, body in
            let entries = (try? FHIRResource(parsing: Array(body.utf8))).map(indexEntries(for:)) ?? .init()
            return AuditTerms.joined(AuditTerms.terms(of: entries))
        }
        guard !unindexed.isEmpty else { return [] }
        let ids = unindexed.map(\.0)
        try await database {
            try await connection.query(
                """
                UPDATE audit_event a SET terms = string_to_array(x.terms, E'\\x1e')
                FROM unnest(\(ids)::text[], \(terms)::text[]) AS x(id, terms) WHERE a.id = x.id
                """,
                logger: logger
            )
        }
        return ids
    }
}
