import PostgresNIO

extension StoreSession {
    /// The most resources `_include`/`_revinclude` add to one page.
    static let maximumIncluded = 1_000
    /// The most rounds of `:iterate`.
    static let maximumIncludeRounds = 4

    /// The current resources that `includes` add to `matches`: referred to by them (`_include`) or referring
    /// to them (`_revinclude`), then, for `:iterate`, to and from what was added, until nothing new comes.
    public func included(_ includes: [SearchInclude], for matches: [StoredResource]) async throws(StoreError) -> [StoredResource] {
        if includes.contains(where: { $0.reverse && $0.sourceType == Self.auditEventType }) {
            throw StoreError(.notSupported, "_revinclude of AuditEvents is not supported; search AuditEvent?entity=... instead")
        }
        guard !includes.isEmpty, !matches.isEmpty else { return [] }
        return try await bounded { () throws(StoreError) in try await included(includes, startingFrom: matches) }
    }

    private func included(_ includes: [SearchInclude], startingFrom matches: [StoredResource]) async throws(StoreError) -> [StoredResource] {
        var seen = Set(matches.map(\.reference))
        var frontier = matches
        var result: [StoredResource] = []
        for round in 0..<Self.maximumIncludeRounds {
            var added: [StoredResource] = []
            for include in includes where round == 0 || include.iterate {
                for resource in try await fetch(include, from: frontier) where !seen.contains(resource.reference) {
                    seen.insert(resource.reference)
                    added.append(resource)
                }
            }
            result += added
            guard !added.isEmpty, result.count < Self.maximumIncluded else { break }
            frontier = added
        }
        return Array(result.prefix(Self.maximumIncluded))
    }

    private func fetch(_ include: SearchInclude, from resources: [StoredResource]) async throws(StoreError) -> [StoredResource] {
        var sql = SQLBuilder("SELECT \(Self.currentColumns) FROM resource r WHERE NOT r.deleted")
        if include.reverse {
            let targets = include.targetType.map { type in resources.filter { $0.resourceType == type } } ?? resources
            guard !targets.isEmpty else { return [] }
            sql.append(" AND r.resource_type = ", bind: include.sourceType)
            sql.append(" AND r.id IN (SELECT x.id FROM search_reference x WHERE x.resource_type = ", bind: include.sourceType)
            sql.append(" AND x.param = ANY(", bind: include.parameters)
            sql.append(") AND (x.target_type, x.target_id) IN (SELECT * FROM unnest(", bind: targets.map(\.resourceType))
            sql.append("::text[], ", bind: targets.map(\.id))
            sql.append("::text[])))")
        } else {
            let sources = resources.filter { $0.resourceType == include.sourceType }.map(\.id)
            guard !sources.isEmpty else { return [] }
            sql.append(" AND (r.resource_type, r.id) IN (SELECT x.target_type, x.target_id FROM search_reference x")
            sql.append(" WHERE x.resource_type = ", bind: include.sourceType)
            sql.append(" AND x.id = ANY(", bind: sources)
            sql.append(") AND x.param = ANY(", bind: include.parameters)
            sql.append(")")
            if let targetType = include.targetType {
                sql.append(" AND x.target_type = ", bind: targetType)
            }
            sql.append(")")
        }
        sql.append(" ORDER BY r.resource_type, r.id LIMIT ", bind: Self.maximumIncluded)
        return try await currentResources(sql.query)
    }
}
