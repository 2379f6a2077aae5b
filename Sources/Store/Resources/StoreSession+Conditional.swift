import FHIRCore
import Foundation
import NIOCore
import PostgresNIO

extension StoreSession {
    /// Serialises conditional interactions with the same criteria until the enclosing transaction ends, so
    /// that two identical conditional creates cannot both create. The lock is named by the canonical text of
    /// the criteria (sorted parameters), so the order of the parameters does not matter.
    public func lock(_ query: SearchQuery) async throws(StoreError) {
        let key = "\(query.resourceType)?\(query.canonicalText)"
        try await database {
            try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended(\(key), 0))", logger: logger)
        }
    }

    /// Conditional create (`If-None-Exist`): creates unless exactly one resource matches, in which case that
    /// one is returned; more than one match is an error. Call inside a transaction, so the lock holds.
    public func create(
        _ resource: FHIRResource, ifNoneExist criteria: SearchQuery
    ) async throws(StoreError) -> (stored: StoredResource, created: Bool) {
        let type = resource.resourceType
        try await lock(criteria)
        let ids = try await matches(criteria)
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
        _ resource: FHIRResource, matching criteria: SearchQuery, ifMatch: Int? = nil
    ) async throws(StoreError) -> (stored: StoredResource, created: Bool) {
        let type = resource.resourceType
        try await lock(criteria)
        let ids = try await matches(criteria)
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
    public func delete(matching criteria: SearchQuery) async throws(StoreError) -> StoredResource? {
        try await lock(criteria)
        let ids = try await matches(criteria)
        switch ids.count {
        case 0: return nil
        case 1: return try await delete(criteria.resourceType, ids[0])
        default: throw StoreError(.multipleMatches, "the criteria match more than one \(criteria.resourceType)")
        }
    }
}
