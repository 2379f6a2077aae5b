extension StoreSession {
    /// The current resources, of any type, that refer to `type/id` through any reference search parameter
    /// (e.g. to move references when patients are merged), at most `limit`, by type and id.
    public func referrers(of type: String, id: String, limit: Int = 10_000) async throws(StoreError) -> [StoredResource] {
        var sql = SQLBuilder("SELECT \(Self.currentColumns) FROM resource r WHERE NOT r.deleted")
        sql.append(" AND (r.resource_type, r.id) IN (SELECT x.resource_type, x.id FROM search_reference x WHERE x.target_type = ", bind: type)
        sql.append(" AND x.target_id = ", bind: id)
        sql.append(") ORDER BY r.resource_type, r.id LIMIT ", bind: limit)
        return try await currentResources(sql.query)
    }
}
