import FHIRCore

extension ResourceStore {
    /// Stores `events` (audit trail `AuditEvent`s) as new resources with server-assigned ids, all in one
    /// transaction, without telling the change observer: audit events are never matched against subscriptions
    /// (a subscription to them would audit its own deliveries without end) and never fill the outbox.
    public func appendAuditEvents(_ events: [FHIRResource]) async throws {
        guard !events.isEmpty else { return }
        try await withTransaction { session in
            let unobserved = session.unobserved
            for event in events {
                _ = try await unobserved.create(event)
            }
        }
    }
}
