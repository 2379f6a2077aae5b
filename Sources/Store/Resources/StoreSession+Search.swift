import FHIRCore
import Foundation
import NIOCore
import PostgresNIO

extension StoreSession {
    /// One page of the current resources matching `query`, in its sort order, from `query.offset`.
    public func search(_ query: SearchQuery, count: Int) async throws(StoreError) -> [StoredResource] {
        if query.resourceType == Self.auditEventType { return try await searchAuditEvents(query, count: count) }
        var sql = SQLBuilder("SELECT \(Self.currentColumns) FROM resource r")
        query.appendFilter(to: &sql)
        query.appendOrder(to: &sql)
        sql.append(" LIMIT ", bind: count)
        sql.append(" OFFSET ", bind: query.offset)
        let statement = sql.query
        return try await bounded { () throws(StoreError) in try await currentResources(statement) }
    }

    /// The columns `currentResources` decodes, from `resource r`.
    static let currentColumns = "r.resource_type, r.id, r.version_id, r.last_updated, r.body"

    /// The current (not deleted) resources `statement` selects with `currentColumns`, in its order.
    func currentResources(_ statement: PostgresQuery) async throws(StoreError) -> [StoredResource] {
        try await database {
            var found: [StoredResource] = []
            let rows = try await connection.query(statement, logger: logger)
            for try await (type, id, version, lastUpdated, body) in rows.decode((String, String, Int, Date, ByteBuffer).self) {
                found.append(StoredResource(
                    resourceType: type, id: id, versionId: version, lastUpdated: lastUpdated, deleted: false, body: body
                ))
            }
            return found
        }
    }

    /// The ids of the current resources matching `query`, at most `limit` of them (conditional interactions).
    public func matches(_ query: SearchQuery, limit: Int = 2) async throws(StoreError) -> [String] {
        if let token = query.soleToken { return try await tokenMatch(query.resourceType, token, limit: limit, lockKey: nil) }
        var sql = SQLBuilder("SELECT r.id FROM resource r")
        query.appendFilter(to: &sql)
        sql.append(" LIMIT ", bind: limit)
        let statement = sql.query
        return try await database {
            var ids: [String] = []
            for try await id in try await connection.query(statement, logger: logger).decode(String.self) {
                ids.append(id)
            }
            return ids
        }
    }

    /// The current resources of `type` holding `token`, at most `limit`; with `lockKey`, when none does, after
    /// taking that advisory lock (a new snapshot: what the lock's last holder committed is seen). Inside a
    /// transaction their rows are kept for the update that follows (`prefetched`). What the transaction looked up
    /// ahead answers without a statement (the look-up took the token's lock, named as `lockKey` is, when nothing
    /// matched).
    func tokenMatch(
        _ type: String, _ token: SearchQuery.SoleToken, limit: Int, lockKey: String?
    ) async throws(StoreError) -> [String] {
        // Looked up ahead at most two; when two were found there may be more, which only a look of its own tells.
        if let ids = prefetched?.match(TokenKey(type: type, token: token)), limit <= 2 || ids.count < 2 {
            return Array(ids.prefix(limit))
        }
        return try await database {
            let statement = TokenMatchStatement(type: type, token: token, limit: limit, lockKey: lockKey)
            var ids: [String] = []
            for try await (id, version, lastUpdated, body, digest) in try await connection.execute(statement, logger: logger) {
                ids.append(id)
                prefetched?.keepCurrent(type, id: id, version: version, lastUpdated: lastUpdated, body: body, indexDigest: digest)
            }
            return ids
        }
    }

    /// Looks up the single-token criteria among `criteria` (`identifier=system|value`) in one statement, inside a
    /// transaction, for the conditional interactions that follow in it: what a criterion matched is then taken
    /// without a round trip of its own (with the current rows, as `tokenMatch` keeps them), until a write of the
    /// transaction may change it (`PrefetchedRows.forgetMatches`). For a criterion nothing matches, the statement
    /// takes the criteria's lock and looks again, as `match` does, so that "none" holds for the rest of the
    /// transaction too (until a write of the transaction gives a resource the token). An answer kept is as old as the
    /// look-up: a resource given the token since by a write that takes no lock (a plain create or update, not a
    /// conditional one) is not seen by the rest of the transaction, as it would not have been by a single
    /// conditional interaction that had matched at that moment. Outside a transaction it does nothing. With
    /// `lockWait`, the same statement limits the transaction's lock waits, its own included, as
    /// `limitLockWaits(to:)` does (which it calls when there is nothing to look up).
    public func prefetchMatches(_ criteria: [SearchQuery], limitingLockWaitsTo lockWait: Duration? = nil) async throws(StoreError) {
        let keys = prefetched == nil ? [] : Self.soleTokenKeys(of: criteria)
        guard let prefetched, !keys.isEmpty else {
            if let lockWait { try await limitLockWaits(to: lockWait) }
            return
        }
        let statement = TokenMatchesStatement(
            keys: keys.map(\.key), lockKeys: keys.map(\.lockKey), limit: 2, lockWait: lockWait.map { "\($0.settingMilliseconds)ms" })
        var found: [TokenKey: [String]] = [:]
        try await database {
            for try await (position, id, version, lastUpdated, body, digest) in try await connection.execute(statement, logger: logger) {
                guard keys.indices.contains(position - 1) else { continue }
                let key = keys[position - 1].key
                found[key, default: []].append(id)
                prefetched.keepCurrent(key.type, id: id, version: version, lastUpdated: lastUpdated, body: body, indexDigest: digest)
            }
        }
        for (key, _) in keys { prefetched.keepMatch(key, ids: found[key] ?? []) }
    }

    /// The single-token criteria among `criteria`, each once, in order, with the name of their lock.
    private static func soleTokenKeys(of criteria: [SearchQuery]) -> [(key: TokenKey, lockKey: String)] {
        var keys: [(key: TokenKey, lockKey: String)] = []
        var seen: Set<TokenKey> = []
        for query in criteria {
            guard let token = query.soleToken else { continue }
            let key = TokenKey(type: query.resourceType, token: token)
            if seen.insert(key).inserted { keys.append((key, lockKey(query.resourceType, token))) }
        }
        return keys
    }

    /// How many current resources match `query` (`_total=accurate`; `estimate` uses it too).
    public func count(_ query: SearchQuery) async throws(StoreError) -> Int {
        if query.resourceType == Self.auditEventType { return try await countAuditEvents(query) }
        var sql = SQLBuilder("SELECT count(*) FROM resource r")
        query.appendFilter(to: &sql)
        return try await count(sql.query)
    }

    /// The count a `SELECT count(*)` statement answers, within the search timeout.
    func count(_ statement: PostgresQuery) async throws(StoreError) -> Int {
        try await bounded { () throws(StoreError) in
            try await database {
                for try await total in try await connection.query(statement, logger: logger).decode(Int.self) {
                    return total
                }
                return 0
            }
        }
    }
}

extension StoreSession {
    /// Whether the current version of `type/id` (the query's type) matches `query`: subscription criteria
    /// are tested this way, inside the transaction that wrote the resource, with the same SQL as a search.
    public func resourceMatches(_ query: SearchQuery, id: String) async throws(StoreError) -> Bool {
        var sql = SQLBuilder("SELECT EXISTS (SELECT 1 FROM resource r")
        query.appendFilter(to: &sql)
        sql.append(" AND r.id = ", bind: id)
        sql.append(")")
        let statement = sql.query
        return try await database {
            for try await found in try await connection.query(statement, logger: logger).decode(Bool.self) { return found }
            return false
        }
    }
}
