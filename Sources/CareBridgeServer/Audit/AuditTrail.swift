import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization

/// The audit trail: takes `AuditRecord`s from anywhere in the hub without waiting, and stores them as
/// `AuditEvent` resources in batches (one transaction per batch) as a service.
///
/// `record(_:)` only appends to a bounded in-memory queue. The service writes what is queued every
/// `settings.interval`, in batches of at most `settings.batchSize`, and writes everything left when it
/// shuts down gracefully. Records are lost only when the process dies before they were written (at most one
/// interval's worth, plus whatever a slow database let pile up) or when the queue is full: the hub keeps
/// serving rather than wait for its audit trail, counts the records it drops and logs them as errors.
public final class AuditTrail: Service, Sendable {
    /// How much the trail holds and how often it writes.
    public struct Settings: Sendable, Hashable {
        /// The most records waiting to be written; more are dropped (and counted).
        public var capacity: Int
        /// The most records written in one transaction.
        public var batchSize: Int
        /// How long the writer waits when the queue is empty.
        public var interval: Duration
        /// How many times a batch the database refused is tried before it is dropped.
        public var attempts: Int

        public init(capacity: Int = 20_000, batchSize: Int = 200, interval: Duration = .milliseconds(100), attempts: Int = 3) {
            self.capacity = capacity
            self.batchSize = batchSize
            self.interval = interval
            self.attempts = attempts
        }
    }

    private struct Pending: Sendable {
        var record: AuditRecord
        var failures = 0
    }

    private struct Queue: Sendable {
        var pending: [Pending] = []
        var dropped = 0
        var droppedSinceReport = 0
    }

    private let store: ResourceStore
    private let builder: AuditEventBuilder
    private let settings: Settings
    private let logger: Logger
    private let queue = Mutex(Queue())

    /// A trail writing into `store`; `observer` names this hub in the events (its host name by default).
    public init(
        store: ResourceStore, observer: String = ProcessInfo.processInfo.hostName, settings: Settings = Settings(), logger: Logger
    ) {
        self.store = store
        self.builder = AuditEventBuilder(observer: observer)
        self.settings = settings
        self.logger = logger
    }

    /// Queues `record` to be stored; never waits and never fails. When the queue is full the record is dropped,
    /// counted in `droppedCount`, and logged as an error.
    public func record(_ record: AuditRecord) {
        let firstDrop = queue.withLock { queue -> Bool? in
            guard queue.pending.count < settings.capacity else {
                queue.dropped += 1
                queue.droppedSinceReport += 1
                return queue.droppedSinceReport == 1
            }
            queue.pending.append(Pending(record: record))
            return nil
        }
        if firstDrop == true {
            logger.error("audit queue full: audit records are being dropped", metadata: ["capacity": "\(settings.capacity)"])
        }
    }

    /// How many records were dropped since the hub started (queue full, or refused by the database).
    public var droppedCount: Int {
        queue.withLock { $0.dropped }
    }

    /// How many records wait to be written.
    public var pendingCount: Int {
        queue.withLock { $0.pending.count }
    }

    /// Indexes AuditEvents stored before they had a table of their own, then writes queued records until
    /// graceful shutdown, then writes what is left.
    public func run() async throws {
        do {
            let indexed = try await store.indexAuditEvents()
            if indexed > 0 { logger.notice("earlier AuditEvents indexed in the audit table", metadata: ["count": "\(indexed)"]) }
        } catch {
            logger.error("earlier AuditEvents not indexed", metadata: ["error": "\(error)"])
        }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            await flush()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: self.settings.interval) }
        }
        await flush()
        let left = pendingCount
        if left > 0 {
            logger.error("audit records not written at shutdown", metadata: ["count": "\(left)"])
        }
    }

    /// Writes everything queued now, batch by batch; stops early when the database refuses a batch (it stays
    /// queued for the next round). Records queued meanwhile wait for the next round, so that under a steady
    /// stream the batches grow with the interval instead of shrinking to what arrived during the last write.
    public func flush() async {
        var remaining = pendingCount
        while remaining > 0 {
            let batch = queue.withLock { queue in
                let batch = Array(queue.pending.prefix(min(settings.batchSize, remaining)))
                queue.pending.removeFirst(batch.count)
                return batch
            }
            guard !batch.isEmpty else { return }
            remaining -= batch.count
            guard await write(batch) else { return }
        }
    }

    /// Stores one batch; on failure puts it back at the front of the queue (dropping records tried too often).
    private func write(_ batch: [Pending]) async -> Bool {
        do {
            try await store.appendAuditEvents(batch.map { builder.event($0.record) })
            reportDrops()
            return true
        } catch {
            let retried = batch.map { Pending(record: $0.record, failures: $0.failures + 1) }.filter { $0.failures < settings.attempts }
            let lost = batch.count - retried.count
            queue.withLock { queue in
                queue.pending.insert(contentsOf: retried, at: 0)
                queue.dropped += lost
            }
            logger.error("audit records not written", metadata: [
                "count": "\(batch.count)", "dropped": "\(lost)", "error": "\(error)",
            ])
            return false
        }
    }

    /// Logs how many records the full queue dropped since the last report, once the writer catches up.
    private func reportDrops() {
        let dropped = queue.withLock { queue in
            defer { queue.droppedSinceReport = 0 }
            return queue.droppedSinceReport
        }
        if dropped > 0 {
            logger.error("audit records dropped because the queue was full", metadata: ["count": "\(dropped)"])
        }
    }
}
