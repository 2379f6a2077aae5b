import Foundation
import NIOCore
import PostgresNIO

/// The inbound log (migration 4): messages stored raw before processing, their status and what they wrote.
extension StoreSession {
    /// Stores messages as received and returns their log ids in the same order, in one statement that commits
    /// before any of them is processed, so each is kept even when processing it fails.
    ///
    /// The commit does not wait for the disk (`synchronous_commit` off for this transaction only, set by the
    /// statement itself): the rows are made durable by the next durable commit of the same messages (their
    /// `processed`, `duplicate` or `error` status), which flushes the write-ahead log up to and including them,
    /// and that commit always comes before the acknowledgement. A crash in between loses only unacknowledged
    /// messages, which their senders resend. This saves a disk flush and three round trips.
    public func recordInbound(_ messages: [ArrivedInbound]) async throws(StoreError) -> [Int64] {
        guard !messages.isEmpty else { return [] }
        return try await database {
            var ids: [Int64] = []
            for try await id in try await connection.execute(RecordInboundStatement(messages: messages), logger: logger) {
                ids.append(id)
            }
            guard ids.count == messages.count else { throw StoreError(.database, "the inbound messages were not stored") }
            return ids
        }
    }

    /// Records one processing attempt of message `id`: its status, error text, the resources it wrote, and
    /// for a duplicate the message that was applied.
    public func markInbound(
        _ id: Int64, status: InboundStatus, error: String? = nil, resources: [String] = [], duplicateOf: Int64? = nil
    ) async throws(StoreError) {
        try await rowCount(of: MarkInboundStatement(
            id: id, status: status, error: error, resources: resources, duplicateOf: duplicateOf))
    }

    /// Records message `id` applied (status `processed` and the resources it wrote) and claims its sender and
    /// control id for it, in one statement at the end of the transaction that applied it; returns nil. When
    /// another message holds them, nothing is recorded and that message's id is returned: the caller rolls back,
    /// this message being a duplicate of that one. A copy being applied at the same moment makes the claim wait
    /// for its transaction: if it commits, its id is returned. A message without a control id claims nothing.
    /// The claim ends with the transaction when it rolls back; a replayed message finds the claim its own.
    public func markApplied(_ id: Int64, header: InboundHeader, resources: [String]) async throws(StoreError) -> Int64? {
        try await markApplied([AppliedInbound(id: id, header: header, resources: resources)])[id]
    }

    /// Records messages applied together in one transaction, as `markApplied(_:header:resources:)` does for one,
    /// in one statement: returns, for each message whose sender and control id another message holds, that
    /// message's id; when there is any, nothing is recorded and the caller rolls back. Two of `messages` with the
    /// same sender and control id make the statement fail (PostgreSQL claims a key once per statement).
    public func markApplied(_ messages: [AppliedInbound]) async throws(StoreError) -> [Int64: Int64] {
        guard !messages.isEmpty else { return [:] }
        return try await database {
            for try await (ids, holders, marked) in try await connection.execute(
                MarkAppliedStatement(messages: messages), logger: logger
            ) {
                let taken = Dictionary(zip(ids, holders)) { first, _ in first }
                if taken.isEmpty, marked != messages.count {
                    throw StoreError(.notFound, "\(messages.count - Int(marked)) of the inbound messages do not exist")
                }
                return taken
            }
            throw StoreError(.database, "marking the inbound messages applied returned nothing")
        }
    }

    /// Claims the sender and control id of message `id` for it and returns nil; or, when another message holds
    /// them (it was applied), that message's id. A copy being applied at the same moment makes the claim wait for
    /// its transaction: if it commits, its id is returned. A message without a control id claims nothing. The
    /// claim ends with the transaction when it rolls back, or with `releaseInbound`. Ingest uses it when applying
    /// a message failed, to learn whether the message is a copy of one applied (see `markApplied`).
    public func claimInbound(_ header: InboundHeader, id: Int64) async throws(StoreError) -> Int64? {
        guard !header.controlID.isEmpty else { return nil }
        return try await database {
            for try await holder in try await connection.execute(ClaimInboundStatement(header: header, id: id), logger: logger) {
                return holder == id ? nil : holder
            }
            throw StoreError(.database, "the inbound message's claim returned nothing")
        }
    }

    /// Gives up the claim message `id` holds, if any (a replay of an applied message that now fails: the log
    /// no longer shows it applied, so a copy sent again is applied).
    public func releaseInbound(_ id: Int64) async throws(StoreError) {
        try await database {
            _ = try await connection.query(
                """
                DELETE FROM inbound_processed p USING inbound_message m
                WHERE m.id = \(id) AND p.sending_application = m.sending_application
                  AND p.sending_facility = m.sending_facility AND p.control_id = m.control_id AND p.message_id = m.id
                """,
                logger: logger
            ).collect()
        }
    }

    /// Message `id` with its raw bytes, or nil.
    public func inboundMessage(_ id: Int64) async throws(StoreError) -> InboundMessage? {
        var sql = SQLBuilder("SELECT \(Self.inboundColumns), raw FROM inbound_message WHERE id = ")
        sql.append(bind: id)
        return try await inboundMessages(sql.query, withRaw: true).first
    }

    /// The messages `filter` selects, newest first, without their raw bytes.
    public func inboundMessages(_ filter: InboundFilter) async throws(StoreError) -> [InboundMessage] {
        var sql = SQLBuilder("SELECT \(Self.inboundColumns) FROM inbound_message WHERE true")
        if let status = filter.status {
            sql.append(" AND status = ", bind: status.rawValue)
        }
        if let type = filter.messageType {
            sql.append(" AND message_type = ", bind: type)
        }
        if let application = filter.sendingApplication {
            sql.append(" AND sending_application = ", bind: application)
        }
        if let controlID = filter.controlID {
            sql.append(" AND control_id = ", bind: controlID)
        }
        if let since = filter.receivedSince {
            sql.append(" AND received_at >= ", bind: since)
        }
        sql.append(" ORDER BY id DESC LIMIT ", bind: filter.limit)
        sql.append(" OFFSET ", bind: filter.offset)
        return try await inboundMessages(sql.query, withRaw: false)
    }

    private static let inboundColumns = """
        id, source, peer, sending_application, sending_facility, control_id, message_type, received_at, status, error,
        resources, duplicate_of, processed_at, attempts
        """

    private func inboundMessages(_ statement: PostgresQuery, withRaw: Bool) async throws(StoreError) -> [InboundMessage] {
        try await database {
            var found: [InboundMessage] = []
            for try await row in try await connection.query(statement, logger: logger) {
                let columns = try row.decode(
                    (Int64, String, String?, String, String, String, String, Date, String, String?, [String], Int64?, Date?, Int).self
                )
                var raw: [UInt8] = []
                if withRaw {
                    var bytes = try row.makeRandomAccess()[14].decode(ByteBuffer.self)
                    raw = bytes.readBytes(length: bytes.readableBytes) ?? []
                }
                found.append(InboundMessage(
                    id: columns.0, source: columns.1, peer: columns.2,
                    header: InboundHeader(
                        sendingApplication: columns.3, sendingFacility: columns.4, controlID: columns.5, messageType: columns.6),
                    receivedAt: columns.7, status: InboundStatus(rawValue: columns.8) ?? .received, error: columns.9,
                    resources: columns.10, duplicateOf: columns.11, processedAt: columns.12, attempts: columns.13, raw: raw))
            }
            return found
        }
    }
}
