import FHIRCore
import Foundation
import NIOCore
import PostgresNIO

extension StoreSession {
    /// Serialises conditional interactions with the same criteria until the enclosing transaction ends, so
    /// that two identical conditional creates cannot both create.
    public func lock(_ type: String, _ criteria: ConditionalCriteria) async throws(StoreError) {
        let key = "\(type)?\(criteria.canonicalText)"
        try await database {
            try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(key), 0))", logger: logger)
        }
    }

    /// The ids of current (not deleted) `type` resources matching `criteria`, at most `limit` of them.
    public func matches(_ type: String, _ criteria: ConditionalCriteria, limit: Int = 2) async throws(StoreError) -> [String] {
        var sql = SQLBuilder("SELECT r.id FROM resource r")
        appendFilter(type, criteria, to: &sql)
        sql.append(" LIMIT ")
        sql.append(bind: limit)
        let query = sql.query
        return try await database {
            var ids: [String] = []
            for try await id in try await connection.query(query, logger: logger).decode(String.self) {
                ids.append(id)
            }
            return ids
        }
    }

    /// How many current `type` resources match `criteria` (all when nil): a searchset's `total`.
    public func count(_ type: String, _ criteria: ConditionalCriteria?) async throws(StoreError) -> Int {
        var sql = SQLBuilder("SELECT count(*) FROM resource r")
        appendFilter(type, criteria, to: &sql)
        let query = sql.query
        return try await database {
            for try await total in try await connection.query(query, logger: logger).decode(Int.self) {
                return total
            }
            return 0
        }
    }

    /// Current `type` resources matching `criteria` (all when nil), oldest first, one page of them.
    public func list(
        _ type: String, _ criteria: ConditionalCriteria?, count: Int, offset: Int
    ) async throws(StoreError) -> [StoredResource] {
        var sql = SQLBuilder("SELECT r.id, r.version_id, r.last_updated, r.body FROM resource r")
        appendFilter(type, criteria, to: &sql)
        sql.append(" ORDER BY r.last_updated, r.id LIMIT ")
        sql.append(bind: count)
        sql.append(" OFFSET ")
        sql.append(bind: offset)
        let query = sql.query
        return try await database {
            var page: [StoredResource] = []
            let rows = try await connection.query(query, logger: logger)
            for try await (id, version, lastUpdated, body) in rows.decode((String, Int, Date, ByteBuffer).self) {
                page.append(StoredResource(
                    resourceType: type, id: id, versionId: version, lastUpdated: lastUpdated, deleted: false, body: body
                ))
            }
            return page
        }
    }

    private func appendFilter(_ type: String, _ criteria: ConditionalCriteria?, to sql: inout SQLBuilder) {
        sql.append(" WHERE r.resource_type = ")
        sql.append(bind: type)
        sql.append(" AND NOT r.deleted")
        for clause in criteria?.clauses ?? [] {
            switch clause.parameter {
            case "_id":
                sql.append(" AND r.id = ANY(")
                sql.append(bind: clause.values)
                sql.append(")")
            default:
                sql.append(" AND EXISTS (SELECT 1 FROM search_token t WHERE t.resource_type = r.resource_type")
                sql.append(" AND t.id = r.id AND t.param = ")
                sql.append(bind: clause.parameter)
                sql.append(" AND (")
                for (offset, value) in clause.values.enumerated() {
                    if offset > 0 { sql.append(" OR ") }
                    appendToken(value, to: &sql)
                }
                sql.append("))")
            }
        }
    }

    /// `system|code`, `|code` (no system), `system|` (any code of the system) or `code` (any system).
    private func appendToken(_ value: String, to sql: inout SQLBuilder) {
        guard let bar = value.firstIndex(of: "|") else {
            sql.append("t.code = ")
            sql.append(bind: value)
            return
        }
        let system = String(value[..<bar])
        let code = String(value[value.index(after: bar)...])
        switch (system.isEmpty, code.isEmpty) {
        case (true, _):
            sql.append("(t.system = '' AND t.code = ")
            sql.append(bind: code)
            sql.append(")")
        case (false, true):
            sql.append("t.system = ")
            sql.append(bind: system)
        case (false, false):
            sql.append("(t.system = ")
            sql.append(bind: system)
            sql.append(" AND t.code = ")
            sql.append(bind: code)
            sql.append(")")
        }
    }
}

extension StoreSession {
    /// Conditional create (`If-None-Exist`): creates unless exactly one resource matches, in which case that
    /// one is returned; more than one match is an error. Call inside a transaction, so the lock holds.
    public func create(
        _ resource: FHIRResource, ifNoneExist criteria: ConditionalCriteria
    ) async throws(StoreError) -> (stored: StoredResource, created: Bool) {
        let type = resource.resourceType
        try await lock(type, criteria)
        let ids = try await matches(type, criteria)
        switch ids.count {
        case 0: return (try await create(resource), true)
        case 1:
            guard let existing = try await read(type, ids[0]) else {
                throw StoreError(.conflict, "\(type)/\(ids[0]) vanished while being matched; try again")
            }
            return (existing, false)
        default:
            throw StoreError(.multipleMatches, "If-None-Exist criteria match more than one \(type)")
        }
    }

    /// Conditional update (`PUT Type?criteria`): updates the one match, or creates when there is none.
    public func update(
        _ resource: FHIRResource, matching criteria: ConditionalCriteria, ifMatch: Int? = nil
    ) async throws(StoreError) -> (stored: StoredResource, created: Bool) {
        let type = resource.resourceType
        try await lock(type, criteria)
        let ids = try await matches(type, criteria)
        switch ids.count {
        case 0:
            if let id = resource.id { return try await update(resource, id: id, ifMatch: ifMatch) }
            return (try await create(resource), true)
        case 1:
            if let id = resource.id, id != ids[0] {
                throw StoreError(.invalidRequest, "the resource id \(id) is not the id of the match, \(ids[0])")
            }
            return try await update(resource, id: ids[0], ifMatch: ifMatch)
        default:
            throw StoreError(.multipleMatches, "the criteria match more than one \(type)")
        }
    }

    /// Conditional delete (`DELETE Type?criteria`): deletes the one match; none is not an error.
    public func delete(_ type: String, matching criteria: ConditionalCriteria) async throws(StoreError) -> StoredResource? {
        try await lock(type, criteria)
        let ids = try await matches(type, criteria)
        switch ids.count {
        case 0: return nil
        case 1: return try await delete(type, ids[0])
        default: throw StoreError(.multipleMatches, "the criteria match more than one \(type)")
        }
    }
}
