import Foundation
import NIOCore
import PostgresNIO

// The inbound log's writes, prepared once per connection: every message runs each of them, and planning them
// anew cost PostgreSQL more than running them. They insert, or find one row by its primary key (an update by
// id, a conflict on the claims' key), so no plan made while a table was small can go bad as it grows.

/// A new log row (see `StoreSession.recordInbound`); returns its id.
struct RecordInboundStatement: PostgresPreparedStatement {
    static let name = "carebridge_record_inbound"
    static let sql = """
        WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))
        INSERT INTO inbound_message (source, peer, sending_application, sending_facility, control_id, message_type, status, raw)
        SELECT $1, $2, $3, $4, $5, $6, 'received', $7 FROM relaxed
        RETURNING id
        """
    typealias Row = Int64

    let source: String
    let peer: String?
    let header: InboundHeader
    let raw: ByteBuffer

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 7)
        bindings.append(source)
        bindings.append(peer)
        bindings.append(header.sendingApplication)
        bindings.append(header.sendingFacility)
        bindings.append(header.controlID)
        bindings.append(header.messageType)
        bindings.append(raw)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 {
        try row.decode(Int64.self)
    }
}

/// One processing attempt of a log row (see `StoreSession.markInbound`).
struct MarkInboundStatement: CountingStatement {
    static let name = "carebridge_mark_inbound"
    static let sql = """
        UPDATE inbound_message SET status = $2, error = $3, resources = $4, duplicate_of = $5, attempts = attempts + 1,
            processed_at = CASE WHEN $2 IN ('processed', 'duplicate') THEN now() ELSE processed_at END
        WHERE id = $1
        RETURNING 1
        """

    let id: Int64
    let status: InboundStatus
    let error: String?
    let resources: [String]
    let duplicateOf: Int64?

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(id)
        bindings.append(status.rawValue)
        bindings.append(error)
        bindings.append(resources)
        bindings.append(duplicateOf)
        return bindings
    }
}

/// Marks message `id` processed and claims its sender and control id for it (see `StoreSession.markApplied`):
/// returns the message holding the claim when it is another one (and then marks nothing), and how many log
/// rows were marked.
struct MarkAppliedStatement: PostgresPreparedStatement {
    static let name = "carebridge_mark_applied"
    static let sql = """
        WITH claim AS (
            INSERT INTO inbound_processed (sending_application, sending_facility, control_id, message_id)
            SELECT $2, $3, $4, $1 WHERE $4 <> ''
            ON CONFLICT (sending_application, sending_facility, control_id)
            DO UPDATE SET message_id = inbound_processed.message_id
            RETURNING message_id
        ), marked AS (
            UPDATE inbound_message SET status = 'processed', error = NULL, resources = $5, duplicate_of = NULL,
                attempts = attempts + 1, processed_at = now()
            WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM claim WHERE message_id <> $1)
            RETURNING 1
        )
        SELECT (SELECT message_id FROM claim WHERE message_id <> $1), (SELECT count(*) FROM marked)
        """
    typealias Row = (Int64?, Int64)

    let id: Int64
    let header: InboundHeader
    let resources: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(id)
        bindings.append(header.sendingApplication)
        bindings.append(header.sendingFacility)
        bindings.append(header.controlID)
        bindings.append(resources)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}

/// Claims a message's sender and control id for message `id` (see `StoreSession.claimInbound`); returns the
/// message holding the claim, `id` itself when the claim is new or already its own.
struct ClaimInboundStatement: PostgresPreparedStatement {
    static let name = "carebridge_claim_inbound"
    static let sql = """
        INSERT INTO inbound_processed (sending_application, sending_facility, control_id, message_id)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (sending_application, sending_facility, control_id)
        DO UPDATE SET message_id = inbound_processed.message_id
        RETURNING message_id
        """
    typealias Row = Int64

    let header: InboundHeader
    let id: Int64

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(header.sendingApplication)
        bindings.append(header.sendingFacility)
        bindings.append(header.controlID)
        bindings.append(id)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Int64 {
        try row.decode(Int64.self)
    }
}

/// A transaction-scoped advisory lock named by a text key (conditional criteria).
struct AdvisoryLockStatement: CountingStatement {
    static let name = "carebridge_advisory_lock"
    static let sql = "SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS locked"

    let key: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(key)
        return bindings
    }
}
