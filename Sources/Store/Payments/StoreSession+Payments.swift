import Foundation
import NIOCore
import PostgresNIO

/// Payment-gateway notifications (migration 7) and the invoice lock that keeps their running total right.
extension StoreSession {
    /// Records `notification` as being applied and returns its row id, or nil when the gateway already sent
    /// an event with this id (a replay). Call it inside the transaction that applies the event: a concurrent
    /// copy of the same event waits here until that transaction ends, then finds it recorded.
    public func claimPaymentNotification(_ notification: PaymentNotification) async throws(StoreError) -> Int64? {
        try await database {
            let rows = try await connection.query(
                """
                INSERT INTO payment_notification
                    (gateway, event_id, event_type, invoice, amount, currency, payment_reference, outcome)
                VALUES (\(notification.gateway), \(notification.eventID), \(notification.eventType),
                        \(notification.invoice), \(notification.amount)::numeric, \(notification.currency),
                        \(notification.paymentReference), 'received')
                ON CONFLICT (gateway, event_id) DO NOTHING
                RETURNING id
                """,
                logger: logger
            )
            for try await id in rows.decode(Int64.self) { return id }
            return nil
        }
    }

    /// Sets what became of notification `id` and the resources it wrote.
    public func settlePaymentNotification(
        _ id: Int64, outcome: PaymentNotificationOutcome, resources: [String] = []
    ) async throws(StoreError) {
        try await database {
            try await connection.query(
                """
                UPDATE payment_notification SET outcome = \(outcome.rawValue), resources = \(resources)
                WHERE id = \(id)
                """,
                logger: logger
            )
        }
    }

    /// The sum of the payments already applied to `invoice` (`Invoice/id`) in `currency`, as exact decimal
    /// text (`0` when none).
    public func paidAmount(invoice: String, currency: String) async throws(StoreError) -> String {
        try await database {
            let rows = try await connection.query(
                """
                SELECT coalesce(sum(amount), 0)::text FROM payment_notification
                WHERE invoice = \(invoice) AND currency = \(currency) AND outcome IN ('partial', 'balanced')
                """,
                logger: logger
            )
            for try await total in rows.decode(String.self) { return total }
            return "0"
        }
    }

    /// The current version of `type/id`, locked until the end of the current transaction so that no other
    /// transaction changes or locks it meanwhile; nil when it was never stored.
    public func readForUpdate(_ type: String, _ id: String) async throws(StoreError) -> StoredResource? {
        try await database {
            let rows = try await connection.query(
                """
                SELECT version_id, last_updated, deleted, body FROM resource
                WHERE resource_type = \(type) AND id = \(id) FOR UPDATE
                """,
                logger: logger
            )
            for try await (version, lastUpdated, deleted, body) in rows.decode((Int, Date, Bool, ByteBuffer).self) {
                return StoredResource(
                    resourceType: type, id: id, versionId: version, lastUpdated: lastUpdated, deleted: deleted, body: body
                )
            }
            return nil
        }
    }
}
