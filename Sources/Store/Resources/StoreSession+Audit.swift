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
            let lastUpdated = FHIRInstant.string(from: now)
            var rows: [BulkCreateStatement.Entry] = []
            rows.reserveCapacity(events.count)
            for event in events {
                var stamped = event
                let id = UUID().uuidString.lowercased()
                stamped.id = id
                stamped.stamp(versionId: "1", lastUpdated: lastUpdated)
                rows.append(BulkCreateStatement.Entry(
                    id: id, body: String(decoding: stamped.bytes, as: UTF8.self), entries: session.indexEntries(for: stamped)
                ))
            }
            for type in Set(events.map(\.resourceType)).sorted() {
                let statement = BulkCreateStatement(
                    type: type, now: now, rows: rows.enumerated().filter { events[$0.offset].resourceType == type }.map(\.element)
                )
                _ = try await session.rowCount(of: statement)
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
