import Foundation

/// What `Patient/[id]/$everything` asks for (https://hl7.org/fhir/R4/patient-operation-everything.html).
public struct EverythingQuery: Sendable {
    /// The patient.
    public var patientID: String
    /// The compartment: for each resource type in it, the reference parameters that link it to the patient.
    /// AuditEvents are never part of the answer (they are kept apart, in `audit_event`): they record who looked
    /// at the patient's data, not the data, and every `$everything` would add to them.
    public var compartment: [String: [String]]
    /// `_type`: only these types (nil for all).
    public var types: Set<String>?
    /// `_since`: only resources changed at or after this instant.
    public var since: Date?
    /// `start`: care dates from (the start of) this date. Resources with a `date` search parameter value must
    /// have one that ends after it; resources without one are kept.
    public var careStart: Date?
    /// `end`: care dates up to (the end of) this date, the same way.
    public var careEnd: Date?
    /// Where the page starts.
    public var offset: Int

    public init(patientID: String, compartment: [String: [String]]) {
        self.patientID = patientID
        self.compartment = compartment
        types = nil
        since = nil
        careStart = nil
        careEnd = nil
        offset = 0
    }
}

extension StoreSession {
    /// One page of the current resources in the patient's compartment: the Patient first, then by type and id.
    public func everything(_ query: EverythingQuery, count: Int) async throws(StoreError) -> [StoredResource] {
        let links = query.compartment.filter { query.types?.contains($0.key) ?? true }
            .flatMap { type, parameters in parameters.map { (type, $0) } }
        var sql = SQLBuilder("SELECT \(Self.currentColumns) FROM resource r WHERE NOT r.deleted AND (")
        if query.types?.contains("Patient") ?? true {
            sql.append("(r.resource_type = 'Patient' AND r.id = ", bind: query.patientID)
            sql.append(") OR ")
        }
        sql.append("(r.resource_type, r.id) IN (SELECT x.resource_type, x.id FROM search_reference x")
        sql.append(" WHERE x.target_type = 'Patient' AND x.target_id = ", bind: query.patientID)
        sql.append(" AND (x.resource_type, x.param) IN (SELECT * FROM unnest(", bind: links.map(\.0))
        sql.append("::text[], ", bind: links.map(\.1))
        sql.append("::text[]))))")
        if let since = query.since {
            sql.append(" AND r.last_updated >= ", bind: since)
        }
        if query.careStart != nil || query.careEnd != nil {
            let dated = "SELECT 1 FROM search_date d WHERE d.resource_type = r.resource_type AND d.id = r.id AND d.param = 'date'"
            sql.append(" AND (NOT EXISTS (\(dated)) OR EXISTS (\(dated)")
            if let start = query.careStart {
                sql.append(" AND d.high > ", bind: start)
            }
            if let end = query.careEnd {
                sql.append(" AND d.low < ", bind: end)
            }
            sql.append("))")
        }
        sql.append(" ORDER BY NOT (r.resource_type = 'Patient' AND r.id = ", bind: query.patientID)
        sql.append("), r.resource_type, r.id LIMIT ", bind: count)
        sql.append(" OFFSET ", bind: query.offset)
        let statement = sql.query
        return try await bounded { () throws(StoreError) in try await currentResources(statement) }
    }

    /// The current resources that `resources` refer to and whose type is not one of `excludedTypes` (for
    /// `$everything`: the practitioners, organizations, locations... its entries point to, but not resources
    /// in the compartment, which belong to the patient whose compartment it is).
    public func referenced(
        by resources: [StoredResource], excludingTypes excludedTypes: [String]
    ) async throws(StoreError) -> [StoredResource] {
        guard !resources.isEmpty else { return [] }
        var sql = SQLBuilder("SELECT \(Self.currentColumns) FROM resource r WHERE NOT r.deleted AND r.resource_type <> ALL(")
        sql.append(bind: excludedTypes)
        sql.append(") AND (r.resource_type, r.id) IN (SELECT x.target_type, x.target_id FROM search_reference x")
        sql.append(" WHERE (x.resource_type, x.id) IN (SELECT * FROM unnest(", bind: resources.map(\.resourceType))
        sql.append("::text[], ", bind: resources.map(\.id))
        sql.append("::text[]))) ORDER BY r.resource_type, r.id LIMIT ", bind: Self.maximumIncluded)
        let statement = sql.query
        return try await bounded { () throws(StoreError) in try await currentResources(statement) }
    }
}
