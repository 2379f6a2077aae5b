import FHIRCore
import FHIRProfiles
import Foundation
import PostgresNIO

extension ResourceStore {
    /// Stores `events` (audit trail `AuditEvent`s) as new resources with server-assigned ids, all in one
    /// statement, without telling the change observer: audit events are never matched against subscriptions
    /// (a subscription to them would audit its own deliveries without end) and never fill the outbox.
    ///
    /// One statement writes every event's current row, first history row and search index rows (the index
    /// rows of all events arrive as parallel arrays carrying their event's id), so the trail costs the
    /// database one round trip per batch rather than one per event.
    public func appendAuditEvents(_ events: [FHIRResource]) async throws {
        guard !events.isEmpty else { return }
        try await withSession { session in
            let now = StoreSession.writeTime()
            var rows: [String: [BulkCreateStatement.Entry]] = [:]
            for event in events {
                let id = UUID().uuidString.lowercased()
                let (body, stamped, _) = session.stamp(event, id: id, version: 1, at: now)
                rows[event.resourceType, default: []].append(
                    BulkCreateStatement.Entry(id: id, body: body, entries: session.indexEntries(for: stamped)))
            }
            for (type, entries) in rows.sorted(by: { $0.key < $1.key }) {
                _ = try await session.rowCount(of: BulkCreateStatement(type: type, now: now, rows: entries))
            }
        }
    }
}

/// New resources of one type with fresh ids: their current rows, first history rows and search index rows,
/// in one statement (autocommitted, so all or none are written).
struct BulkCreateStatement: PostgresPreparedStatement {
    static let name = "carebridge_bulk_create"
    static let sql = """
        WITH r AS (
            INSERT INTO resource (resource_type, id, version_id, last_updated, deleted, body)
            SELECT $1, id, 1, $2, false, body FROM unnest($3::text[], $4::text[]) AS x(id, body)
        ), h AS (
            INSERT INTO resource_history (resource_type, id, version_id, last_updated, method, deleted, body)
            SELECT $1, id, 1, $2, 'POST', false, body FROM unnest($3::text[], $4::text[]) AS x(id, body)
        )\(SearchIndexSQL.bulkInsertCTEs(first: 5, type: "$1"))
        SELECT 1
        """

    typealias Row = Int

    /// One resource to write: its id, its body as stored, its index rows.
    struct Entry {
        let id: String
        let body: String
        let entries: SearchIndexEntries
    }

    let type: String
    let now: Date
    let rows: [Entry]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4 + SearchIndexSQL.bulkParameterCount)
        bindings.append(type)
        bindings.append(now)
        bindings.append(rows.map(\.id))
        bindings.append(rows.map(\.body))
        SearchIndexSQL.appendBulk(rows.map { ($0.id, $0.entries) }, to: &bindings)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int {
        try row.decode(Int.self)
    }
}
