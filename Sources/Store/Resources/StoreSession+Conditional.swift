import FHIRCore
import Foundation
import NIOCore
import PostgresNIO

extension StoreSession {
    /// Serialises conditional interactions with the same criteria until the enclosing transaction ends, so
    /// that two identical conditional creates cannot both create (see `lockKey` for what "the same" is).
    public func lock(_ query: SearchQuery) async throws(StoreError) {
        try await rowCount(of: AdvisoryLockStatement(key: Self.lockKey(query)))
    }

    /// The name of the advisory lock of `query`'s criteria. A single token (`identifier=system|value`) is named by
    /// the token as read (its system's length first, so that no two tokens share a name), so that every spelling
    /// of it (escapes, percent-encoding) takes the same lock; other criteria by their canonical text (sorted
    /// parameters), so that the order of the parameters does not matter.
    static func lockKey(_ query: SearchQuery) -> String {
        guard let token = query.soleToken else { return "\(query.resourceType)?\(query.canonicalText)" }
        return lockKey(query.resourceType, token)
    }

    /// The name of the advisory lock of criteria that are `token` alone, on resources of `type` (see `lockKey(_:)`).
    static func lockKey(_ type: String, _ token: SearchQuery.SoleToken) -> String {
        "\(type)?\(token.parameter)=\(token.system.utf8.count):\(token.system)|\(token.code)"
    }

    /// The id of the one current resource matching `criteria`, or nil when none does; more than one is
    /// `multipleMatches`. Call it inside a transaction: when nothing matches at first, it takes the criteria's
    /// lock (see `lock`) and looks again, so that two identical conditional creates cannot both create. When
    /// one resource matches already no lock is needed (a concurrent writer cannot make it match none), so
    /// transactions that refer to the same existing resource (a lab's ordering practitioner, a patient) do not
    /// wait for each other. `name` says what the criteria are in the error (e.g. "If-None-Exist criteria").
    /// A single token (`identifier=system|value`) does all of this in one statement (`carebridge_token_match`), or
    /// takes what the transaction looked it up as ahead (`prefetchMatches`, which took the lock when nothing matched).
    public func match(_ criteria: SearchQuery, name: String = "the criteria") async throws(StoreError) -> String? {
        var ids: [String]
        if let token = criteria.soleToken {
            let lockKey = Self.lockKey(criteria.resourceType, token)
            ids = try await tokenMatch(criteria.resourceType, token, limit: 2, lockKey: lockKey)
        } else {
            ids = try await matches(criteria)
            if ids.isEmpty {
                try await lock(criteria)
                ids = try await matches(criteria)
            }
        }
        guard ids.count <= 1 else {
            throw StoreError(.multipleMatches, "\(name) match more than one \(criteria.resourceType)")
        }
        return ids.first
    }

    /// Conditional create (`If-None-Exist`): creates unless exactly one resource matches, in which case that
    /// one is returned; more than one match is an error. Call inside a transaction, so the lock holds.
    public func create(
        _ resource: FHIRResource, ifNoneExist criteria: SearchQuery
    ) async throws(StoreError) -> (stored: StoredResource, created: Bool) {
        guard let id = try await match(criteria, name: "If-None-Exist criteria") else {
            return (try await create(resource), true)
        }
        guard let existing = try await readMatched(resource.resourceType, id) else {
            throw StoreError(.conflict, "\(resource.resourceType)/\(id) vanished while being matched; try again")
        }
        return (existing, false)
    }

    /// Conditional update (`PUT Type?criteria`): updates the one match, or creates when there is none.
    /// `keepingUnchanged` as for an update by id.
    public func update(
        _ resource: FHIRResource, matching criteria: SearchQuery, ifMatch: Int? = nil, keepingUnchanged: Bool = false
    ) async throws(StoreError) -> (stored: StoredResource, created: Bool) {
        guard let id = try await match(criteria) else {
            if let id = resource.id {
                return try await update(resource, id: id, ifMatch: ifMatch, keepingUnchanged: keepingUnchanged)
            }
            return (try await create(resource), true)
        }
        if let bodyID = resource.id, bodyID != id {
            throw StoreError(.invalidRequest, "the resource id \(bodyID) is not the id of the match, \(id)")
        }
        return try await update(resource, id: id, ifMatch: ifMatch, keepingUnchanged: keepingUnchanged)
    }

    /// Conditional delete (`DELETE Type?criteria`): deletes the one match; none is not an error.
    public func delete(matching criteria: SearchQuery) async throws(StoreError) -> StoredResource? {
        guard let id = try await match(criteria) else { return nil }
        return try await delete(criteria.resourceType, id)
    }
}
