import Foundation
import NIOCore
import PostgresNIO

/// The dispatcher's statements, prepared once per connection: each runs for every delivery, and planning
/// their CTEs cost PostgreSQL more than running them. All commit without waiting for the disk
/// (`synchronous_commit` off for their transaction): a lease or record lost in a crash only means one more
/// attempt with the same `webhook-id`, which at-least-once delivery allows.
enum DeliveryStatements {
    /// `due AS (...`: locks the deliveries `head` names (by key, so the plan never depends on how many are
    /// pending), skipping those another process holds; the caller closes the parenthesis.
    static let lockDue = """
        due AS (
            SELECT d.event_id FROM webhook_delivery d
            WHERE d.event_id = ANY(ARRAY(SELECT event_id FROM head)) AND d.status = 'pending' AND d.next_attempt_at <= now()
            FOR UPDATE OF d SKIP LOCKED
        """

    /// Leases the heads in `due` (event ids) for `$lease` seconds and returns them with their focus version.
    static func leaseAndReturn(lease: String) -> String {
        """
        claimed AS (
            UPDATE webhook_delivery d SET next_attempt_at = now() + make_interval(secs => \(lease))
            FROM due WHERE d.event_id = due.event_id
            RETURNING d.*
        )
        SELECT \(StoreSession.deliveryColumns), h.last_updated, h.deleted, h.body, h.method
        FROM claimed d JOIN webhook_event e ON e.id = d.event_id
        LEFT JOIN resource_history h
            ON h.resource_type = e.focus_type AND h.id = e.focus_id AND h.version_id = e.focus_version
        ORDER BY e.id
        """
    }

    /// A claimed delivery and its focus, from a row of `leaseAndReturn`.
    static func claimed(_ row: PostgresRow) throws -> ClaimedDelivery {
        let cells = row.makeRandomAccess()
        let delivery = try StoreSession.delivery(cells)
        let event = delivery.event
        var focus: StoredResource?
        if let updated = try cells[15].decode(Date?.self) {
            focus = StoredResource(
                resourceType: event.focusType, id: event.focusID, versionId: event.focusVersion, lastUpdated: updated,
                deleted: try cells[16].decode(Bool.self), body: try cells[17].decode(ByteBuffer?.self) ?? ByteBuffer(),
                method: try cells[18].decode(String?.self)
            )
        }
        return ClaimedDelivery(delivery: delivery, focus: focus)
    }
}

/// Claims up to `limit` due heads, one per active, unpaused subscription (see `claimDueDeliveries`).
struct ClaimDueStatement: PostgresPreparedStatement {
    static let name = "carebridge_claim_due"
    static let sql = """
        WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)), head AS (
            SELECT h.event_id FROM subscription_state s
            LEFT JOIN subscription_activity a ON a.id = s.id
            CROSS JOIN LATERAL (
                SELECT d.event_id, d.next_attempt_at FROM webhook_delivery d
                WHERE d.subscription_id = s.id AND d.event_id > coalesce(a.delivered_through, 0) AND d.status = 'pending'
                ORDER BY d.event_id LIMIT 1
            ) h
            CROSS JOIN relaxed
            WHERE s.status = 'active' AND NOT s.paused AND h.next_attempt_at <= now()
            ORDER BY h.next_attempt_at, h.event_id
            LIMIT $1
        ), \(DeliveryStatements.lockDue)
        ), \(DeliveryStatements.leaseAndReturn(lease: "$2"))
        """

    typealias Row = ClaimedDelivery

    let limit: Int
    let leaseSeconds: Double

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(limit)
        bindings.append(leaseSeconds)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> ClaimedDelivery {
        try DeliveryStatements.claimed(row)
    }
}

/// Gives claimed deliveries back (`$1` event ids): due now, so any hub process may claim them again.
struct ReleaseLeasesStatement: CountingStatement {
    static let name = "carebridge_release_leases"
    static let sql = """
        UPDATE webhook_delivery SET next_attempt_at = now() WHERE event_id = ANY($1) AND status = 'pending' RETURNING 1
        """

    let eventIDs: [Int64]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(eventIDs)
        return bindings
    }
}

/// Records one attempt (`$1` event, `$2` time, `$3` status code, `$4` latency, `$5` error) with its outcome
/// (`$6` delivery status, `$7` seconds until the next attempt), and, when it was delivered, the subscription's
/// last notification time and `delivered_through` (raised to this event).
struct RecordAttemptStatement: CountingStatement {
    static let name = "carebridge_record_attempt"
    static let sql = """
        WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)), \(recordCTEs)
        SELECT 1
        """

    /// The CTEs `attempt`, `delivery` and `activity` writing the record, after a CTE `relaxed`.
    static let recordCTEs = """
        attempt AS (
            INSERT INTO webhook_attempt (event_id, attempted_at, status_code, latency_ms, error)
            SELECT $1, $2, $3, $4, $5 FROM relaxed
        ), delivery AS (
            UPDATE webhook_delivery SET status = $6, attempts = attempts + 1,
                next_attempt_at = now() + make_interval(secs => $7), last_error = $5,
                delivered_at = CASE WHEN $6 = 'delivered' THEN now() END
            FROM relaxed WHERE event_id = $1 RETURNING subscription_id
        ), activity AS (
            INSERT INTO subscription_activity (id, last_notified_at, delivered_through)
            SELECT subscription_id, now(), $1 FROM delivery WHERE $6 = 'delivered'
            ON CONFLICT (id) DO UPDATE SET last_notified_at = excluded.last_notified_at,
                delivered_through = greatest(subscription_activity.delivered_through, excluded.delivered_through)
        )
        """

    let attempt: WebhookAttemptRecord
    let status: DeliveryStatus
    let delaySeconds: Double

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 7)
        bindings.append(attempt.eventID)
        bindings.append(attempt.attemptedAt)
        bindings.append(attempt.statusCode.map { Int32(clamping: $0) })  // the column is an integer
        bindings.append(attempt.latencyMilliseconds)
        bindings.append(attempt.error)
        bindings.append(status.rawValue)
        bindings.append(delaySeconds)
        return bindings
    }
}

/// Records a successful attempt (as `RecordAttemptStatement` with status `delivered`) and, in the same
/// statement, claims up to `$9` of the subscription's next due deliveries, in order (`$8` lease seconds): the
/// delivery just recorded still reads as pending within the statement, so it is left out by its id. The search
/// starts after the subscription's `delivered_through` as it was before this statement (usually the previous
/// event of the chain), so it reads only the deliveries not yet made.
struct RecordDeliveredClaimNextStatement: PostgresPreparedStatement {
    static let name = "carebridge_record_delivered_claim_next"
    static let sql = """
        WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)), \(RecordAttemptStatement.recordCTEs),
        next AS (
            SELECT d.event_id, d.next_attempt_at FROM webhook_delivery d
            WHERE d.subscription_id = (SELECT subscription_id FROM delivery)
              AND d.event_id > coalesce((
                  SELECT a.delivered_through FROM subscription_activity a WHERE a.id = (SELECT subscription_id FROM delivery)
              ), 0)
              AND d.status = 'pending' AND d.event_id <> $1
            ORDER BY d.event_id LIMIT $9
        ), head AS (
            SELECT next.event_id FROM next JOIN subscription_state s ON s.id = (SELECT subscription_id FROM delivery)
            WHERE next.next_attempt_at <= now() AND s.status = 'active' AND NOT s.paused
        ), \(DeliveryStatements.lockDue)
        ), \(DeliveryStatements.leaseAndReturn(lease: "$8"))
        """

    typealias Row = ClaimedDelivery

    let attempt: WebhookAttemptRecord
    let leaseSeconds: Double
    let limit: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = try RecordAttemptStatement(attempt: attempt, status: .delivered, delaySeconds: 0).makeBindings()
        bindings.append(leaseSeconds)
        bindings.append(limit)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> ClaimedDelivery {
        try DeliveryStatements.claimed(row)
    }
}
