import FHIRCore
import FHIRProfiles
import Foundation
import PostgresNIO

extension ResourceStore {
    /// Stores `events` (audit trail `AuditEvent`s) with server-assigned ids in the append-only `audit_event`
    /// table, all in one statement, without telling the change observer: audit events are never matched
    /// against subscriptions (a subscription to them would audit its own deliveries without end) and never
    /// fill the outbox. Their search values are found by the search index extractor, as for any resource,
    /// and stored as one array of terms per event (`AuditTerms`).
    public func appendAuditEvents(_ events: [FHIRResource]) async throws {
        guard !events.isEmpty else { return }
        try await withSession { session in
            let now = StoreSession.writeTime()
            let rows = events.map { event in
                let id = FHIRResource.newID()
                let (body, stamped, _) = session.stamp(event, id: id, version: 1, at: now)
                return AuditEventRow(id: id, body: body, entries: session.indexEntries(for: stamped), written: now)
            }
            _ = try await session.rowCount(of: AppendAuditEventsStatement(now: now, rows: rows))
        }
    }

    /// Fills in the terms of AuditEvents moved from the resource tables by migration 9, in batches; returns how
    /// many it indexed. Run once the migrations are applied (the audit trail does it as it starts).
    @discardableResult
    public func indexAuditEvents(batchSize: Int = 500) async throws -> Int {
        var total = 0
        while true {
            let done = try await withSession { session in try await session.indexAuditEventBatch(after: nil, limit: batchSize) }
            total += done.count
            if done.count < batchSize { return total }
        }
    }

    /// Rebuilds the terms of every AuditEvent from its body, in batches (after the search parameters changed);
    /// returns how many.
    public func reindexAuditEvents(batchSize: Int = 500) async throws -> Int {
        var total = 0
        var last = ""
        while true {
            let after = last
            let done = try await withSession { session in try await session.indexAuditEventBatch(after: after, limit: batchSize) }
            total += done.count
            guard done.count == batchSize, let next = done.last else { return total }
            last = next
        }
    }
}

/// One AuditEvent to append: its id, its body as stored, the time it records, and its terms.
struct AuditEventRow {
    let id: String
    let body: String
    let recorded: Double
    let terms: String

    init(id: String, body: String, entries: SearchIndexEntries, written: Date) {
        self.id = id
        self.body = body
        recorded = entries.dates.first { $0.parameter == "date" }?.low ?? written.timeIntervalSince1970
        terms = AuditTerms.joined(AuditTerms.terms(of: entries))
    }
}

/// New AuditEvents, in one statement (autocommitted, so all or none are written).
struct AppendAuditEventsStatement: CountingStatement {
    static let name = "carebridge_append_audit_events"
    static let sql = """
        INSERT INTO audit_event (id, recorded, last_updated, body, terms)
        SELECT id, to_timestamp(recorded), $1, body, string_to_array(terms, E'\\x1e')
        FROM unnest($2::text[], $3::float8[], $4::text[], $5::text[]) AS x(id, recorded, body, terms)
        RETURNING 1
        """

    let now: Date
    let rows: [AuditEventRow]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(now)
        bindings.append(rows.map(\.id))
        bindings.append(rows.map(\.recorded))
        bindings.append(rows.map(\.body))
        bindings.append(rows.map(\.terms))
        return bindings
    }
}
