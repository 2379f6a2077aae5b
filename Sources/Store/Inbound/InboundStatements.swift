import Foundation
import NIOCore
import PostgresNIO

// The inbound log's writes, prepared once per connection: every message runs each of them, and planning them
// anew cost PostgreSQL more than running them. They insert, or find one row by its primary key (an update by
// id, a conflict on the claims' key), so no plan made while a table was small can go bad as it grows.

/// New log rows, one per message, in one statement (see `StoreSession.recordInbound`); returns their ids in
/// the order of the messages. Ids are drawn before inserting so that they can be returned in that order.
struct RecordInboundStatement: PostgresPreparedStatement {
    static let name = "carebridge_record_inbound_batch"
    static let sql = """
        WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)),
        arrived AS (
            SELECT nextval('inbound_message_id_seq') AS id, x.*
            FROM relaxed, unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[])
                WITH ORDINALITY AS x(source, peer, application, facility, control_id, message_type, raw, position)
        ), stored AS (
            INSERT INTO inbound_message (
                id, source, peer, sending_application, sending_facility, control_id, message_type, status, raw
            )
            SELECT id, source, nullif(peer, ''), application, facility, control_id, message_type, 'received', raw
            FROM arrived
        )
        SELECT id FROM arrived ORDER BY position
        """
    typealias Row = Int64

    let messages: [ArrivedInbound]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 7)
        bindings.append(messages.map(\.source.rawValue))
        bindings.append(messages.map { $0.peer ?? "" })
        bindings.append(messages.map(\.header.sendingApplication))
        bindings.append(messages.map(\.header.sendingFacility))
        bindings.append(messages.map(\.header.controlID))
        bindings.append(messages.map(\.header.messageType))
        bindings.append(messages.map { ByteBuffer(bytes: $0.raw) })
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

/// Marks messages processed and claims their senders and control ids for them, in one statement (see
/// `StoreSession.markApplied` and `carebridge_mark_applied`, migration 16): returns the messages whose claim
/// another message holds, with that one, and how many log rows were marked (none when any claim is held by
/// another). A message's resources are one text, `Type/id`s separated by U+001E, since PostgreSQL arrays of
/// arrays must be rectangular.
struct MarkAppliedStatement: PostgresPreparedStatement {
    static let name = "carebridge_mark_applied_batch"
    static let sql = "SELECT * FROM carebridge_mark_applied($1, $2, $3, $4, $5)"
    typealias Row = ([Int64], [Int64], Int64)

    let messages: [AppliedInbound]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(messages.map(\.id))
        bindings.append(messages.map(\.header.sendingApplication))
        bindings.append(messages.map(\.header.sendingFacility))
        bindings.append(messages.map(\.header.controlID))
        bindings.append(messages.map { $0.resources.joined(separator: "\u{1E}") })
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
