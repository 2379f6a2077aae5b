import Foundation
import PostgresNIO

/// The outbox (migration 6): events written in the transaction of their change, and their deliveries.
extension StoreSession {
    /// Appends `events` (of any subscriptions), numbering each subscription's after its last event, each with a
    /// pending delivery due now; returns how many were written. One statement: the counters' rows are locked in
    /// id order (so concurrent writers never deadlock on them) and stay locked until the transaction ends, so
    /// for one subscription, event numbers follow commit order. Call it last before the commit.
    @discardableResult
    public func appendEvents(_ events: [OutboxEvent]) async throws(StoreError) -> Int {
        guard !events.isEmpty else { return 0 }
        var counts: [String: Int] = [:]
        let positions = events.map { event -> Int in
            counts[event.subscriptionID, default: 0] += 1
            return counts[event.subscriptionID] ?? 1
        }
        let subscriptions = events.map(\.subscriptionID)
        let topics = events.map { $0.topic ?? "" }
        let interactions = events.map(\.interaction.rawValue)
        let types = events.map(\.focusType)
        let ids = events.map(\.focusID)
        let versions = events.map(\.focusVersion)
        return try await database {
            let rows = try await connection.query(
                """
                WITH wanted AS (
                    SELECT w.id, count(*)::int AS n FROM unnest(\(subscriptions)::text[]) AS w (id) GROUP BY w.id
                ), locked AS MATERIALIZED (
                    SELECT s.id FROM subscription_state s WHERE s.id IN (SELECT id FROM wanted) ORDER BY s.id FOR UPDATE
                ), counter AS (
                    UPDATE subscription_state s SET events_since_start = s.events_since_start + w.n
                    FROM wanted w WHERE s.id = w.id AND s.id IN (SELECT id FROM locked)
                    RETURNING s.id, s.events_since_start - w.n AS base
                ), event AS (
                    INSERT INTO webhook_event (subscription_id, event_number, topic, interaction, focus_type, focus_id, focus_version)
                    SELECT e.subscription, c.base + e.position, nullif(e.topic, ''), e.interaction, e.type, e.id, e.version
                    FROM unnest(\(subscriptions)::text[], \(positions)::int[], \(topics)::text[], \(interactions)::text[],
                                \(types)::text[], \(ids)::text[], \(versions)::int[])
                        AS e (subscription, position, topic, interaction, type, id, version)
                    JOIN counter c ON c.id = e.subscription
                    RETURNING id, subscription_id
                ), delivery AS (
                    INSERT INTO webhook_delivery (event_id, subscription_id, webhook_id, status)
                    SELECT id, subscription_id, 'msg_' || replace(gen_random_uuid()::text, '-', ''), 'pending' FROM event
                )
                SELECT count(*)::int FROM event
                """,
                logger: logger
            )
            for try await count in rows.decode(Int.self) { return count }
            return 0
        }
    }

    /// Claims up to `limit` deliveries that are due: for each active, unpaused subscription only its oldest
    /// pending delivery (so events arrive in order), skipping rows another hub process is claiming. A claimed
    /// delivery is leased for `leaseSeconds`: if this process dies, another takes it over after that.
    ///
    /// The heads are found with one index probe per subscription (not by scanning the backlog), and a head
    /// that is leased or waiting for a retry holds its subscription back.
    /// Each claimed delivery comes with the version of the resource its event is about (nil if it is gone), read
    /// by the same statement.
    public func claimDueDeliveries(limit: Int, leaseSeconds: Double) async throws(StoreError) -> [ClaimedDelivery] {
        try await database {
            var claimed: [ClaimedDelivery] = []
            let statement = ClaimDueStatement(limit: limit, leaseSeconds: leaseSeconds)
            for try await delivery in try await connection.execute(statement, logger: logger) { claimed.append(delivery) }
            return claimed
        }
    }

    /// Records one attempt at delivering event `eventID` and what follows from it. It touches no
    /// `subscription_state` row, so it never waits for writers.
    public func recordAttempt(_ attempt: WebhookAttemptRecord, outcome: DeliveryOutcome) async throws(StoreError) {
        let (status, delay): (DeliveryStatus, Double) = switch outcome {
        case .delivered: (.delivered, 0)
        case .retry(let seconds): (.pending, seconds)
        case .dead: (.dead, 0)
        }
        try await rowCount(of: RecordAttemptStatement(attempt: attempt, status: status, delaySeconds: delay))
    }

    /// Records a successful attempt and, in the same statement, claims up to `limit` of the same subscription's
    /// next due deliveries in order (each leased for `leaseSeconds`): a subscription with a backlog is delivered
    /// as a chain. A claimed delivery whose event number does not follow the one before it (a gap another
    /// process holds) is given back with the rest, so the chain never skips an event.
    public func recordDelivery(
        _ attempt: WebhookAttemptRecord, claimingNext limit: Int, leaseSeconds: Double
    ) async throws(StoreError) -> [ClaimedDelivery] {
        let claimed = try await database {
            var claimed: [ClaimedDelivery] = []
            let statement = RecordDeliveredClaimNextStatement(attempt: attempt, leaseSeconds: leaseSeconds, limit: limit)
            for try await delivery in try await connection.execute(statement, logger: logger) { claimed.append(delivery) }
            return claimed
        }
        var end = claimed.count
        for index in claimed.indices.dropFirst()
        where claimed[index].delivery.event.eventNumber != claimed[index - 1].delivery.event.eventNumber + 1 {
            end = index
            break
        }
        if end < claimed.count { try await releaseLeases(claimed[end...].map(\.delivery.event.id)) }
        return Array(claimed[..<end])
    }

    /// Gives claimed deliveries back: due now, for any hub process to claim again (a chain that stops early).
    public func releaseLeases(_ eventIDs: [Int64]) async throws(StoreError) {
        guard !eventIDs.isEmpty else { return }
        try await rowCount(of: ReleaseLeasesStatement(eventIDs: eventIDs))
    }

    /// The deliveries of subscription `subscriptionID`, newest first, optionally only those in `status`.
    public func deliveries(
        subscriptionID: String, status: DeliveryStatus? = nil, limit: Int, offset: Int = 0
    ) async throws(StoreError) -> [WebhookDeliveryRecord] {
        let statement: PostgresQuery = """
            SELECT \(unescaped: Self.deliveryColumns) FROM webhook_delivery d JOIN webhook_event e ON e.id = d.event_id
            WHERE d.subscription_id = \(subscriptionID) AND (\(status?.rawValue)::text IS NULL OR d.status = \(status?.rawValue))
            ORDER BY d.event_id DESC LIMIT \(limit) OFFSET \(offset)
            """
        return try await deliveries(statement)
    }

    /// The delivery of event `eventID`, if any.
    public func delivery(eventID: Int64) async throws(StoreError) -> WebhookDeliveryRecord? {
        let statement: PostgresQuery = """
            SELECT \(unescaped: Self.deliveryColumns) FROM webhook_delivery d JOIN webhook_event e ON e.id = d.event_id
            WHERE d.event_id = \(eventID)
            """
        return try await deliveries(statement).first
    }

    /// The attempts at delivering event `eventID`, oldest first.
    public func attempts(eventID: Int64) async throws(StoreError) -> [WebhookAttemptRecord] {
        try await database {
            let rows = try await connection.query(
                """
                SELECT event_id, attempted_at, status_code, latency_ms, error FROM webhook_attempt
                WHERE event_id = \(eventID) ORDER BY id
                """,
                logger: logger
            )
            var attempts: [WebhookAttemptRecord] = []
            for try await row in rows.decode((Int64, Date, Int?, Double, String?).self) {
                attempts.append(WebhookAttemptRecord(
                    eventID: row.0, attemptedAt: row.1, statusCode: row.2, latencyMilliseconds: row.3, error: row.4
                ))
            }
            return attempts
        }
    }

    /// Puts dead-lettered deliveries back in the queue, due now with a fresh schedule: event `eventID`'s, or
    /// every one of subscription `subscriptionID`, lowering the subscription's `delivered_through` below them so
    /// that the head search finds them. Returns how many.
    public func resendDeadDeliveries(subscriptionID: String, eventID: Int64? = nil) async throws(StoreError) -> Int {
        try await database {
            let rows = try await connection.query(
                """
                WITH resent AS (
                    UPDATE webhook_delivery SET status = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL
                    WHERE subscription_id = \(subscriptionID) AND status = 'dead' AND (\(eventID)::bigint IS NULL OR event_id = \(eventID))
                    RETURNING event_id
                ), bound AS (
                    UPDATE subscription_activity SET delivered_through = least(delivered_through, (SELECT min(event_id) - 1 FROM resent))
                    WHERE id = \(subscriptionID) AND EXISTS (SELECT 1 FROM resent)
                )
                SELECT 1 FROM resent
                """,
                logger: logger
            )
            return try await rows.collect().count
        }
    }

    /// The events of subscription `subscriptionID` numbered from `first` to `last` (inclusive), at most `limit`.
    public func events(
        subscriptionID: String, from first: Int64, through last: Int64, limit: Int
    ) async throws(StoreError) -> [WebhookEventRecord] {
        let statement: PostgresQuery = """
            SELECT \(unescaped: Self.eventColumns) FROM webhook_event e
            WHERE e.subscription_id = \(subscriptionID) AND e.event_number BETWEEN \(first) AND \(last)
            ORDER BY e.event_number LIMIT \(limit)
            """
        return try await database {
            var events: [WebhookEventRecord] = []
            for try await row in try await connection.query(statement, logger: logger).decode(EventRow.self) {
                events.append(Self.event(row))
            }
            return events
        }
    }

    private typealias EventRow = (Int64, String, Int64, String?, String, String, String, Int, Date)
    private static let eventColumns =
        "e.id, e.subscription_id, e.event_number, e.topic, e.interaction, e.focus_type, e.focus_id, e.focus_version, e.occurred_at"
    static let deliveryColumns =
        eventColumns + ", d.webhook_id, d.status, d.attempts, d.next_attempt_at, d.last_error, d.delivered_at"

    private static func event(_ row: EventRow) -> WebhookEventRecord {
        WebhookEventRecord(
            id: row.0, subscriptionID: row.1, eventNumber: row.2, topic: row.3, interaction: row.4,
            focusType: row.5, focusID: row.6, focusVersion: row.7, occurredAt: row.8
        )
    }

    private func deliveries(_ statement: PostgresQuery) async throws(StoreError) -> [WebhookDeliveryRecord] {
        try await database {
            var found: [WebhookDeliveryRecord] = []
            for try await row in try await connection.query(statement, logger: logger) {
                found.append(try Self.delivery(row.makeRandomAccess()))
            }
            return found
        }
    }

    /// The delivery in the first columns of a row (`deliveryColumns`).
    static func delivery(_ cells: PostgresRandomAccessRow) throws -> WebhookDeliveryRecord {
        func column<T: PostgresDecodable>(_ index: Int, _ type: T.Type) throws -> T { try cells[index].decode(T.self) }
        let event = WebhookEventRecord(
            id: try column(0, Int64.self), subscriptionID: try column(1, String.self), eventNumber: try column(2, Int64.self),
            topic: try column(3, String?.self), interaction: try column(4, String.self), focusType: try column(5, String.self),
            focusID: try column(6, String.self), focusVersion: try column(7, Int.self), occurredAt: try column(8, Date.self)
        )
        return WebhookDeliveryRecord(
            event: event, webhookID: try column(9, String.self),
            status: DeliveryStatus(rawValue: try column(10, String.self)) ?? .pending, attempts: try column(11, Int.self),
            nextAttemptAt: try column(12, Date.self), lastError: try column(13, String?.self), deliveredAt: try column(14, Date?.self)
        )
    }
}
