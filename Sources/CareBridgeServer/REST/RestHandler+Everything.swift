import Authorization
import FHIRCore
import FHIRProfiles
import Foundation
import NIOCore
import Store

extension RestHandler {
    /// `GET /Patient/[id]/$everything` (https://hl7.org/fhir/R4/patient-operation-everything.html): the
    /// patient, every current resource in its compartment (the R4 Patient CompartmentDefinition), and the
    /// resources those refer to that are outside the compartment (practitioners, organizations, locations...),
    /// as a searchset Bundle paged with `_count`.
    ///
    /// Takes `_since`, `_type`, `_count`, and `start`/`end`, which filter on care dates: on the `date` search
    /// parameter of the types that have one (resources without a date are kept).
    func everything(
        _ type: String, _ id: String, _ request: FHIRRequest, _ session: StoreSession, base: String
    ) async throws -> FHIRResponse {
        guard type == "Patient" else {
            throw FHIRError(400, code: "not-supported", "$everything is supported on Patient only, not \(type)")
        }
        if let patient = try require(.read, type), patient != id {
            throw FHIRError(403, code: "forbidden", "A patient-context token may ask $everything of its own patient only")
        }
        _ = try await existing(type, id, session)
        var parameters = request.query
        if request.method == "POST", let body = request.body, body.readableBytes > 0 {
            parameters += FormEncoding.pairs(String(buffer: body))
        }
        // Only the types the caller may search are gathered; resources outside the compartment that they
        // refer to are shown when the caller may read them.
        let compartment = registry.patientCompartment.filter { registry.isServed($0.key) && allows(.search, $0.key) }
        var query = EverythingQuery(patientID: id, compartment: compartment)
        var count = limits.defaultPageSize
        var ignored: [String] = []
        for (name, value) in parameters {
            switch name {
            case "_count": count = try pageSize(value)
            case "_offset": query.offset = try Self.offset(value)
            case "_since": query.since = try Self.since(value)
            case "start", "end":
                guard let date = FHIRDateTime(value) else {
                    throw FHIRError(400, code: "invalid", "\(name) must be a date, not '\(value)'")
                }
                if name == "start" { query.careStart = date.lowerBound } else { query.careEnd = date.upperBound }
            case "_type":
                let types = value.split(separator: ",").map(String.init)
                for type in types where compartment[type] == nil && type != "Patient" {
                    throw FHIRError(400, code: "invalid", "_type: \(type) is not a served type in the Patient compartment")
                }
                query.types = (query.types ?? []).union(types)
            case "_format", "_pretty": continue
            default:
                guard request.handling == .lenient else {
                    throw FHIRError(400, code: "not-supported", "$everything does not take the parameter '\(name)'")
                }
                ignored.append(name)
            }
        }
        let page = count > 0 ? try await session.everything(query, count: count) : []
        let referenced = try await session.referenced(by: page, excludingTypes: Array(registry.patientCompartment.keys))
            .filter { mayRead($0) }
        var bundle = BundleWriter(type: "searchset")
        if page.count < count && (query.offset == 0 || !page.isEmpty) { bundle.total = query.offset + page.count }
        let link = { (offset: Int) in Self.pageURL("\(base)/Patient/\(id)/$everything", parameters, offset: offset) }
        bundle.links.append(("self", link(query.offset)))
        if query.offset > 0 { bundle.links.append(("previous", link(max(0, query.offset - count)))) }
        if page.count == count, count > 0 { bundle.links.append(("next", link(query.offset + count))) }
        for (resources, mode) in [(page, "match"), (referenced, "include")] {
            for stored in resources {
                bundle.entries.append(.found(stored.body, reference: stored.reference, base: base, mode: mode))
            }
        }
        if !ignored.isEmpty { bundle.entries.append(.ignored(ignored)) }
        return FHIRResponse(status: 200, body: .json(bundle.bytes()))
    }
}
