import FHIRCore
import FHIRProfiles
import NIOCore
import Store

extension RestHandler {
    /// Type-level search on `_id` and `identifier`, with `_count` paging and `total` (unless `_total=none`);
    /// other parameters are refused (400) rather than ignored, since ignoring a filter returns more than was
    /// asked for.
    func search(_ type: String, _ request: FHIRRequest, _ session: StoreSession, base: String) async throws -> FHIRResponse {
        var query = request.query
        if request.method == "POST", let body = request.body, body.readableBytes > 0 {
            query += QueryString.parse(String(buffer: body))
        }
        var count = limits.defaultPageSize
        var offset = 0
        var countTotal = true
        var clauses: [ConditionalCriteria.Clause] = []
        for (name, value) in query {
            switch name {
            case "_count": count = try pageSize(value)
            case "_offset":
                guard let number = Int(value), number >= 0 else {
                    throw FHIRError(400, code: "invalid", "_offset must be a non-negative integer")
                }
                offset = number
            case "_total":
                guard ["none", "estimate", "accurate"].contains(value) else {
                    throw FHIRError(400, code: "invalid", "_total must be none, estimate or accurate, not '\(value)'")
                }
                countTotal = value != "none"
            case "_format", "_pretty": continue
            case "identifier" where registry.searchParameter("identifier", for: type) == nil:
                throw FHIRError(400, code: "not-supported", "\(type) has no 'identifier' search parameter")
            case _ where ConditionalCriteria.supportedParameters.contains(name):
                clauses.append(ConditionalCriteria.Clause(parameter: name, values: value.split(separator: ",").map(String.init)))
            default:
                throw FHIRError(
                    400, code: "not-supported",
                    "Search parameter '\(name)' is not supported; supported: _id, identifier, _count"
                )
            }
        }
        let criteria = clauses.isEmpty ? nil : ConditionalCriteria(clauses: clauses)
        let page = try await session.list(type, criteria, count: count, offset: offset)
        var bundle = BundleWriter(type: "searchset")
        if countTotal {
            // A page that is not full, reached from the start, already tells the total.
            let pageTellsTotal = page.count < count && (offset == 0 || !page.isEmpty)
            bundle.total = pageTellsTotal ? offset + page.count : try await session.count(type, criteria)
        }
        let selfQuery = query.filter { $0.name != "_offset" }
        let link = { (offset: Int) -> String in
            let pairs = selfQuery + [("_offset", String(offset))]
            return "\(base)/\(type)?" + pairs.map { "\($0.name)=\(Self.encode($0.value))" }.joined(separator: "&")
        }
        bundle.links.append(("self", link(offset)))
        if offset > 0 { bundle.links.append(("previous", link(max(0, offset - count)))) }
        if page.count == count, count > 0 { bundle.links.append(("next", link(offset + count))) }
        for stored in page {
            bundle.entries.append(BundleWriter.Entry(
                fullUrl: "\(base)/\(stored.reference)", resource: stored.body,
                search: JSONObject([("mode", .string("match"))])
            ))
        }
        return FHIRResponse(status: 200, body: .json(bundle.bytes()))
    }
}
