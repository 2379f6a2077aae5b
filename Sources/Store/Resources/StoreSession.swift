import FHIRCore
import FHIRProfiles
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The resource operations, on one database connection (inside a transaction or not).
///
/// Writes use optimistic concurrency: the version read is checked again in the `UPDATE ... WHERE version_id`,
/// so concurrent writers never interleave versions; a loser re-reads and tries again, or gets 412 when
/// it asked for that version with `If-Match`.
public struct StoreSession: Sendable {
    let connection: PostgresConnection
    let indexer: any SearchIndexer
    let logger: Logger
    /// Who turns changes into outbox events, if anyone.
    let observer: (any ChangeObserver)?
    /// Inside a transaction: the observed changes waiting for its commit. Nil outside one.
    let journal: ChangeJournal?
    /// How long one search statement may run; nil for no limit.
    var searchTimeout: Duration? = nil
    /// Inside a transaction: the current rows its conditional matches read, for the update that follows.
    var prefetched: PrefetchedRows? = nil

    /// The current version of `type/id` (a deletion is returned with `deleted` set), or nil if never stored.
    public func read(_ type: String, _ id: String) async throws(StoreError) -> StoredResource? {
        if type == Self.auditEventType { return try await auditEvent(id) }
        return try await readCurrent(type, id)?.0
    }

    /// The current version of `type/id` as a conditional match of this transaction found it (the row it read),
    /// or as it is now when no match kept it: for answering with the match of a conditional create.
    public func readMatched(_ type: String, _ id: String) async throws(StoreError) -> StoredResource? {
        try await current(type, id)?.0
    }

    /// Version `version` of `type/id`, or nil.
    public func read(_ type: String, _ id: String, version: Int) async throws(StoreError) -> StoredResource? {
        if type == Self.auditEventType { return version == 1 ? try await auditEvent(id) : nil }
        return try await database {
            let rows = try await connection.query(
                """
                SELECT last_updated, deleted, coalesce(body, ''), method FROM resource_history
                WHERE resource_type = \(type) AND id = \(id) AND version_id = \(version)
                """,
                logger: logger
            )
            for try await (lastUpdated, deleted, body, method) in rows.decode((Date, Bool, ByteBuffer, String).self) {
                return StoredResource(
                    resourceType: type, id: id, versionId: version, lastUpdated: lastUpdated, deleted: deleted,
                    body: body, method: method
                )
            }
            return nil
        }
    }

    /// Stores `resource` as a new resource with a server-assigned id (any id it carries is replaced).
    public func create(_ resource: FHIRResource) async throws(StoreError) -> StoredResource {
        try await create(resource, id: FHIRResource.newID(), method: "POST")
    }

    /// Stores `resource` as a new resource with an id the caller chose (a transaction that resolved
    /// `urn:uuid:` references before writing); fails with `conflict` when the id is taken.
    public func create(_ resource: FHIRResource, assignedID id: String) async throws(StoreError) -> StoredResource {
        try await create(resource, id: id, method: "POST")
    }

    private func create(_ resource: FHIRResource, id: String, method: String) async throws(StoreError) -> StoredResource {
        let (body, stamped, now) = stamp(resource, id: id, version: 1)
        let type = resource.resourceType
        let statement = CreateStatement(
            type: type, id: id, now: now, body: body, method: method, entries: indexEntries(for: stamped)
        )
        prefetched?.forgetMatches(of: type, id: id, tokens: statement.entries.tokens)
        let created = try await observed(type) { session throws(StoreError) -> (StoredResource, ResourceChange)? in
            guard try await session.rowCount(of: statement) == 1 else { return nil }
            let stored = StoredResource(
                resourceType: type, id: id, versionId: 1, lastUpdated: now, deleted: false,
                body: ByteBuffer(string: body), method: method
            )
            return (stored, ResourceChange(interaction: .create, previous: nil, current: stored))
        }
        guard let created else { throw StoreError(.conflict, "\(type)/\(id) already exists") }
        return created
    }

    /// Stores `resource` as the next version of `type/id`, creating it if it does not exist
    /// (update-as-create); with `ifMatch`, only if the current version is that one.
    /// With `keepingUnchanged`, a resource whose content is that of the current version (everything but
    /// `meta.versionId` and `meta.lastUpdated`) is left as it is: no new version, no history row, no change to
    /// notify; the current version is returned.
    /// With `freshID` (the caller has just made `id` up, as a conditional update that matched nothing does), the
    /// resource is created without being looked for first; should the id be taken after all, it is read and
    /// updated as without it.
    public func update(
        _ resource: FHIRResource, id: String, ifMatch: Int? = nil, method: String = "PUT", keepingUnchanged: Bool = false,
        freshID: Bool = false
    ) async throws(StoreError) -> (stored: StoredResource, created: Bool) {
        let type = resource.resourceType
        if freshID, ifMatch == nil, let created = try await insertIfAbsent(resource, id: id, method: method) {
            return (created, true)
        }
        for _ in 0..<100 {
            guard let (current, digest) = try await self.current(type, id) else {
                if let ifMatch {
                    throw StoreError(.versionConflict, "\(type)/\(id) does not exist, so it is not version \(ifMatch)")
                }
                if let created = try await insertIfAbsent(resource, id: id, method: method) {
                    return (created, true)
                }
                continue
            }
            if let ifMatch, ifMatch != current.versionId {
                throw StoreError(
                    .versionConflict, "\(type)/\(id) is at version \(current.versionId), not \(ifMatch) (If-Match)"
                )
            }
            if keepingUnchanged, !current.deleted, hasContent(of: resource, current) { return (current, false) }
            if let stored = try await replace(current, indexDigest: digest, with: resource, method: method) {
                return (stored, false)
            }
        }
        throw StoreError(.conflict, "\(type)/\(id) is being changed by too many writers at once; try again")
    }

    /// Marks `type/id` deleted (a new, empty version). Returns the deletion, or nil when there was nothing to delete.
    @discardableResult
    public func delete(_ type: String, _ id: String) async throws(StoreError) -> StoredResource? {
        for _ in 0..<100 {
            guard let current = try await self.current(type, id)?.0, !current.deleted else { return nil }
            let version = current.versionId + 1
            let now = Self.writeTime()
            prefetched?.forgetMatches(of: type, id: id, tokens: [])
            let deletion = try await observed(type) { session throws(StoreError) -> (StoredResource, ResourceChange)? in
                let changed = try await session.database {
                    let rows = try await session.connection.query(
                        """
                        WITH u AS (
                            UPDATE resource SET version_id = \(version), last_updated = \(now), deleted = true, index_digest = NULL
                            WHERE resource_type = \(type) AND id = \(id) AND version_id = \(current.versionId)
                            RETURNING resource_type, id
                        )\(unescaped: SearchIndexSQL.deleteCTEs(of: "u"))
                        INSERT INTO resource_history (resource_type, id, version_id, last_updated, method, deleted, body)
                        SELECT \(type), \(id), \(version), \(now), 'DELETE', true, NULL FROM u
                        RETURNING 1
                        """,
                        logger: session.logger
                    )
                    return try await rows.collect().count
                }
                guard changed == 1 else { return nil }
                let deletion = StoredResource(
                    resourceType: type, id: id, versionId: version, lastUpdated: now, deleted: true,
                    body: ByteBuffer(), method: "DELETE"
                )
                return (deletion, ResourceChange(interaction: .delete, previous: current, current: deletion))
            }
            if let deletion { return deletion }
        }
        throw StoreError(.conflict, "\(type)/\(id) is being changed by too many writers at once; try again")
    }

    private func insertIfAbsent(_ resource: FHIRResource, id: String, method: String) async throws(StoreError) -> StoredResource? {
        do {
            return try await create(resource, id: id, method: method)
        } catch {
            // Another writer created it first: the caller reads it and updates instead.
            if error.code == .conflict { return nil }
            throw error
        }
    }

    /// Whether `resource`, stamped as version `current` was, is byte for byte the body stored for it.
    private func hasContent(of resource: FHIRResource, _ current: StoredResource) -> Bool {
        let (body, _, _) = stamp(resource, id: current.id, version: current.versionId, at: current.lastUpdated)
        return current.body.readableBytesView.elementsEqual(body.utf8)
    }

    /// The current version of `type/id` and the digest of its index rows (nil when not known), or nil if never
    /// stored, for an update or delete: the row a conditional match of this transaction read, or else read now.
    private func current(_ type: String, _ id: String) async throws(StoreError) -> (StoredResource, [UInt8]?)? {
        if let kept = prefetched?.take(type, id) { return kept }
        return try await readCurrent(type, id)
    }

    /// The current version of `type/id` and the digest of its index rows (nil when not known), or nil if never stored.
    private func readCurrent(_ type: String, _ id: String) async throws(StoreError) -> (StoredResource, [UInt8]?)? {
        try await database {
            for try await row in try await connection.execute(ReadCurrentStatement(type: type, id: id), logger: logger) {
                let current = StoredResource(
                    resourceType: type, id: id, versionId: row.0, lastUpdated: row.1, deleted: row.2, body: row.3
                )
                return (current, row.4.map { Array($0.readableBytesView) })
            }
            return nil
        }
    }

    /// Writes the next version of `current` if it is still current; its index rows only when they change (their
    /// digest differs from `indexDigest`, the current rows' digest). When the rows the current body gives have
    /// that digest, they are the stored rows, and only the tables whose rows differ from them are compared (in
    /// SQL, row by row, as always); otherwise (rows from before the digest, or from another extractor) all seven.
    private func replace(
        _ current: StoredResource, indexDigest: [UInt8]?, with resource: FHIRResource, method: String
    ) async throws(StoreError) -> StoredResource? {
        let type = current.resourceType
        let id = current.id
        let version = current.versionId + 1
        let (body, stamped, now) = stamp(resource, id: id, version: version)
        let entries = indexEntries(for: stamped)
        let digest = entries.digest
        let next = NextVersion(
            type: type, id: id, version: version, previousVersion: current.versionId, now: now, body: body, method: method)
        let statement: any CountingStatement
        if digest == indexDigest {
            statement = ReplaceKeepingIndexStatement(next: next, digest: digest)
        } else if let indexDigest, let currentEntries = indexEntries(of: current), currentEntries.digest == indexDigest {
            statement = ReplaceStatement(
                next: next, entries: entries, digest: digest, currentDigest: indexDigest,
                changed: entries.tablesChanged(from: currentEntries))
        } else {
            statement = ReplaceStatement(next: next, entries: entries, digest: digest)
        }
        prefetched?.forgetMatches(of: type, id: id, tokens: entries.tokens)
        return try await observed(type) { session throws(StoreError) -> (StoredResource, ResourceChange)? in
            guard try await session.rowCount(of: statement) == 1 else { return nil }
            let stored = StoredResource(
                resourceType: type, id: id, versionId: version, lastUpdated: now, deleted: false,
                body: ByteBuffer(string: body), method: method
            )
            return (stored, ResourceChange(interaction: .update, previous: current, current: stored))
        }
    }

    /// Sets id and meta on `resource` and returns its JSON text, the stamped resource and the time used
    /// (`now`, by default the time of this write).
    func stamp(_ resource: FHIRResource, id: String, version: Int, at now: Date = writeTime()) -> (String, FHIRResource, Date) {
        var stamped = resource
        stamped.id = id
        stamped.stamp(versionId: String(version), lastUpdated: FHIRInstant.string(from: now))
        return (String(decoding: stamped.bytes, as: UTF8.self), stamped, now)
    }

    /// The time of a write, in whole milliseconds: `meta.lastUpdated` shows milliseconds, so the row must hold
    /// exactly that instant for `_since`/`_lastUpdated` to agree with what clients see. Half a microsecond
    /// is added because PostgresNIO truncates a `Date` to microseconds, and binary noise in the `Double`
    /// could otherwise store the microsecond below.
    static func writeTime() -> Date {
        let milliseconds = (Date().timeIntervalSince1970 * 1000).rounded(.down)
        return Date(timeIntervalSince1970: milliseconds / 1000 + 0.000_000_5)
    }

    /// Runs a prepared write and returns how many rows it returned (its `RETURNING 1` rows).
    @discardableResult
    func rowCount(of statement: some PostgresPreparedStatement) async throws(StoreError) -> Int {
        try await database {
            var count = 0
            for try await _ in try await connection.execute(statement, logger: logger) { count += 1 }
            return count
        }
    }

    /// Runs database work, turning driver errors into `StoreError` without leaking SQL to callers.
    @discardableResult
    func database<T>(_ work: () async throws -> T) async throws(StoreError) -> T {
        do {
            return try await work()
        } catch let error as StoreError {
            throw error
        } catch let error as PSQLError {
            let state = error.serverInfo?[.sqlState] ?? "none"
            if state == "23505" { throw StoreError(.conflict, "the resource already exists") }
            if state == "40001" || state == "40P01" {
                throw StoreError(.conflict, "the change conflicted with a concurrent change; try again")
            }
            if state == "22021" || state == "22P05" {
                // character_not_in_repertoire, untranslatable_character: text PostgreSQL cannot hold (NUL).
                throw StoreError(.invalidRequest, "The request contains a character that cannot be stored or searched for (NUL)")
            }
            if state == "57014" {
                // query_canceled: only the search timeout cancels the hub's statements.
                throw StoreError(.tooCostly, "The search took too long and was stopped; narrow it down")
            }
            logger.error("database error", metadata: ["sqlState": "\(state)", "error": "\(String(reflecting: error))"])
            throw StoreError(.database, "database error (SQLSTATE \(state))")
        } catch {
            logger.error("database error", metadata: ["error": "\(String(reflecting: error))"])
            throw StoreError(.database, "database error")
        }
    }
}
