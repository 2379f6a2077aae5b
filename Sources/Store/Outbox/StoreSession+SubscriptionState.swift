import Foundation
import PostgresNIO

/// Subscription state beside the resources (migration 6): status mirror, secrets, pause, event counters.
extension StoreSession {
    /// Records that Subscription `id` was written with `status`, creating its state with `secret` the first
    /// time, and tells every hub process (through the catalog generation) to reload its subscriptions.
    public func saveSubscriptionState(id: String, status: String, secret: String) async throws(StoreError) {
        try await database {
            try await connection.query(
                """
                WITH bump AS (UPDATE subscription_catalog SET generation = generation + 1 RETURNING generation)
                INSERT INTO subscription_state (id, status, secret) SELECT \(id), \(status), \(secret) FROM bump
                ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = now()
                """,
                logger: logger
            )
        }
    }

    /// The catalog generation: it changes whenever any subscription's state does.
    public func subscriptionGeneration() async throws(StoreError) -> Int64 {
        try await database {
            let rows = try await connection.query("SELECT generation FROM subscription_catalog", logger: logger)
            for try await generation in rows.decode(Int64.self) { return generation }
            return 0
        }
    }

    /// Every subscription's state, or only `id`'s.
    public func subscriptionStates(id: String? = nil) async throws(StoreError) -> [SubscriptionState] {
        try await database {
            let rows = try await connection.query(
                """
                SELECT id, status, paused, secret, previous_secret,
                       CASE WHEN previous_secret_expires_at > now() THEN previous_secret_expires_at END,
                       events_since_start, a.last_notified_at
                FROM subscription_state LEFT JOIN subscription_activity a USING (id) WHERE \(id)::text IS NULL OR id = \(id) ORDER BY id
                """,
                logger: logger
            )
            var states: [SubscriptionState] = []
            for try await row in rows.decode((String, String, Bool, String, String?, Date?, Int64, Date?).self) {
                states.append(SubscriptionState(
                    id: row.0, status: row.1, paused: row.2, secret: row.3,
                    previousSecret: row.5 == nil ? nil : row.4, previousSecretExpiresAt: row.5,
                    eventsSinceStart: row.6, lastNotifiedAt: row.7
                ))
            }
            return states
        }
    }

    /// Holds or releases the deliveries of subscription `id`; false when there is no such subscription.
    public func setSubscriptionPaused(_ id: String, _ paused: Bool) async throws(StoreError) -> Bool {
        try await database {
            let rows = try await connection.query(
                """
                WITH bump AS (UPDATE subscription_catalog SET generation = generation + 1 RETURNING generation)
                UPDATE subscription_state SET paused = \(paused), updated_at = now() FROM bump WHERE id = \(id) RETURNING 1
                """,
                logger: logger
            )
            return try await rows.collect().count == 1
        }
    }

    /// Makes `secret` the signing secret of subscription `id`; the one it replaces stays valid for
    /// `overlapSeconds` (both sign every delivery meanwhile). False when there is no such subscription.
    public func rotateSubscriptionSecret(_ id: String, to secret: String, overlapSeconds: Double) async throws(StoreError) -> Bool {
        try await database {
            let rows = try await connection.query(
                """
                WITH bump AS (UPDATE subscription_catalog SET generation = generation + 1 RETURNING generation)
                UPDATE subscription_state SET previous_secret = secret, secret = \(secret),
                    previous_secret_expires_at = now() + make_interval(secs => \(overlapSeconds)), updated_at = now()
                FROM bump WHERE id = \(id) RETURNING 1
                """,
                logger: logger
            )
            return try await rows.collect().count == 1
        }
    }

    /// Records that a notification reached subscription `id`'s endpoint now (heartbeats count from it).
    public func markSubscriptionNotified(_ id: String) async throws(StoreError) {
        try await database {
            try await connection.query(
                """
                INSERT INTO subscription_activity (id, last_notified_at) VALUES (\(id), now())
                ON CONFLICT (id) DO UPDATE SET last_notified_at = excluded.last_notified_at
                """,
                logger: logger
            )
        }
    }
}
