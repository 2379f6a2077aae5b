import Authorization
import FHIRCore
import FHIRProfiles
import NIOCore
import Store

extension RestHandler {
    /// Type-level search (`GET /[type]?...`, `POST /[type]/_search` with a form body) through the search
    /// engine of the Store, with `_include`/`_revinclude` entries after the matches. Unknown or unsupported
    /// parameters are a 400 under `Prefer: handling=strict` (the default); under `handling=lenient` they are
    /// ignored and listed in an OperationOutcome entry.
    ///
    /// Within a compartment (`GET /Patient/[id]/[type]`, the R4 Patient CompartmentDefinition; no other
    /// compartment is supported yet), only resources that link to that patient through one of the
    /// compartment's parameters for `type` match.
    func search(
        _ type: String, _ request: FHIRRequest, _ session: StoreSession, base: String,
        compartment: (type: String, id: String)? = nil
    ) async throws -> FHIRResponse {
        var parameters = request.query
        if request.method == "POST", let body = request.body, body.readableBytes > 0 {
            parameters += FormEncoding.pairs(String(buffer: body))
        }
        let patient = try require(.search, type)
        var query = try SearchQuery(
            type: type, parameters: parameters, registry: registry, lenient: request.handling == .lenient, localBase: base
        )
        try requireChains(query)
        if let patient {
            if let compartment, compartment.type != "Patient" || compartment.id != patient {
                throw FHIRError(403, code: "forbidden", "A patient-context token may search only its own patient's compartment")
            }
            query.compartment = SearchCompartment(type: "Patient", id: patient, parameters: self.compartment.links[type] ?? [])
        } else if let compartment {
            guard compartment.type == "Patient" else {
                throw FHIRError(400, code: "not-supported", "Only the Patient compartment is supported, not \(compartment.type)")
            }
            guard let links = registry.patientCompartment[type] else {
                throw FHIRError(400, code: "invalid", "\(type) is not in the Patient compartment")
            }
            query.compartment = SearchCompartment(type: "Patient", id: compartment.id, parameters: links)
        }
        let count = min(query.count ?? limits.defaultPageSize, limits.maximumPageSize)
        let page = count > 0 && query.summary != .count ? try await session.search(query, count: count) : []
        var bundle = BundleWriter(type: "searchset")
        // A page that is not full, reached from the start, tells the total for free; otherwise counting is
        // done only when asked (`estimate` counts accurately too, and so does `_summary=count`).
        if query.summary == .count {
            bundle.total = try await session.count(query)
        } else if page.count < count && (query.offset == 0 || !page.isEmpty) {
            bundle.total = query.offset + page.count
        } else if query.total != .none {
            bundle.total = try await session.count(query)
        }
        let url = "\(base)/" + (compartment.map { "\($0.type)/\($0.id)/\(type)" } ?? type)
        let link = { (offset: Int) in Self.pageURL(url, parameters, offset: offset) }
        bundle.links.append(("self", link(query.offset)))
        if query.offset > 0 { bundle.links.append(("previous", link(max(0, query.offset - count)))) }
        if page.count == count, count > 0, query.summary != .count { bundle.links.append(("next", link(query.offset + count))) }
        for stored in page {
            bundle.entries.append(.found(subset(stored.body, query), reference: stored.reference, base: base, mode: "match"))
        }
        for stored in try await session.included(query.includes, for: page) where mayRead(stored) {
            bundle.entries.append(.found(subset(stored.body, query), reference: stored.reference, base: base, mode: "include"))
        }
        if !query.ignored.isEmpty { bundle.entries.append(.ignored(query.ignored)) }
        return FHIRResponse(status: 200, body: .json(bundle.bytes()))
    }
}
