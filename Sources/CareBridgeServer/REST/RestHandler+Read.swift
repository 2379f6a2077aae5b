import Authorization
import FHIRCore
import Foundation
import NIOCore
import Store

extension RestHandler {
    func read(_ type: String, _ id: String, _ request: FHIRRequest, _ session: StoreSession) async throws -> FHIRResponse {
        let patient = try require(.read, type)
        let (summary, elements) = try readSubsetting(request)
        let stored = try await existing(type, id, session, confinedTo: patient)
        if let ifNoneMatch = request.ifNoneMatch, (try? Self.version(ofETag: ifNoneMatch)) == stored.versionId {
            return FHIRResponse(status: 304, versionId: stored.versionId, lastModified: stored.lastUpdated)
        }
        let body = subset(stored.body, summary: summary, elements: elements)
        return FHIRResponse(status: 200, body: .json(body), versionId: stored.versionId, lastModified: stored.lastUpdated)
    }

    func read(_ type: String, _ id: String, version: String, _ session: StoreSession) async throws -> FHIRResponse {
        let patient = try require(.read, type)
        guard let number = Int(version), let stored = try await session.read(type, id, version: number) else {
            throw FHIRError(404, code: "not-found", "\(type)/\(id) has no version \(version)")
        }
        try confine(stored, to: patient)
        if stored.deleted {
            throw FHIRError(410, code: "deleted", "Version \(version) of \(type)/\(id) is a deletion")
        }
        return FHIRResponse(status: 200, body: .json(stored.body), versionId: stored.versionId, lastModified: stored.lastUpdated)
    }

    /// The current version of `type/id`; 404 when it never existed or lies outside the compartment of
    /// `patientID` (when given), 410 when it is deleted. With `matched`, as the conditional match of this
    /// transaction found it (`StoreSession.readMatched`).
    func existing(
        _ type: String, _ id: String, _ session: StoreSession, confinedTo patientID: String? = nil, matched: Bool = false
    ) async throws -> StoredResource {
        let found = matched ? try await session.readMatched(type, id) : try await session.read(type, id)
        guard let stored = found else {
            throw FHIRError(404, code: "not-found", "\(type)/\(id) does not exist")
        }
        try confine(stored, to: patientID)
        if stored.deleted {
            throw FHIRError(410, code: "deleted", "\(type)/\(id) was deleted (version \(stored.versionId))")
        }
        return stored
    }

    func history(_ query: HistoryQuery, _ request: FHIRRequest, _ session: StoreSession, base: String) async throws -> FHIRResponse {
        var query = query
        query.count = limits.defaultPageSize
        for (name, value) in request.query {
            switch name {
            case "_count": query.count = try pageSize(value)
            case "_since": query.since = try Self.since(value)
            case "_at":
                guard let at = FHIRDateTime(value) else {
                    throw FHIRError(400, code: "invalid", "_at must be a date or dateTime, not '\(value)'")
                }
                query.before = at.upperBound
            case "_offset": query.offset = try Self.offset(value)
            case "_format", "_pretty", "_summary": continue
            default:
                throw FHIRError(400, code: "not-supported", "History does not take the parameter '\(name)'")
            }
        }
        // Instance history needs read on the type, type and system history search; every version shown
        // must be one the caller may see (so a confined caller's pages can have fewer entries than `_count`).
        let permission: Permission = query.id == nil ? .search : .read
        let patient = try query.resourceType.flatMap { try require(permission, $0) }
        if let type = query.resourceType, let id = query.id {
            guard let current = try await session.read(type, id) else {
                throw FHIRError(404, code: "not-found", "\(type)/\(id) does not exist")
            }
            try confine(current, to: patient)
        }
        let versions = try await session.history(query).filter { mayRead($0, as: permission) }
        var bundle = BundleWriter(type: "history")
        let path = [query.resourceType, query.id].compactMap { $0 }.joined(separator: "/")
        let selfURL = base + (path.isEmpty ? "" : "/" + path) + "/_history"
        bundle.links.append(("self", selfURL + (request.queryString.isEmpty ? "" : "?" + request.queryString)))
        if versions.count == query.count {
            bundle.links.append(("next", Self.pageURL(selfURL, request.query, offset: query.offset + query.count)))
        }
        for version in versions {
            bundle.entries.append(historyEntry(version, base: base))
        }
        return FHIRResponse(status: 200, body: .json(bundle.bytes()))
    }

    private func historyEntry(_ version: StoredResource, base: String) -> BundleWriter.Entry {
        let method = version.method ?? (version.deleted ? "DELETE" : "PUT")
        let url = method == "POST" ? version.resourceType : version.reference
        let status = version.deleted ? "204" : (version.versionId == 1 ? "201" : "200")
        return BundleWriter.Entry(
            fullUrl: "\(base)/\(version.reference)",
            resource: version.deleted ? nil : version.body,
            request: JSONObject([("method", .string(method)), ("url", .string(url))]),
            response: JSONObject([
                ("status", .string(status)),
                ("etag", .string("W/\"\(version.versionId)\"")),
                ("lastModified", .string(FHIRInstant.string(from: version.lastUpdated))),
            ])
        )
    }

    func pageSize(_ value: String) throws -> Int {
        guard let count = Int(value), count >= 0 else {
            throw FHIRError(400, code: "invalid", "_count must be a non-negative integer, not '\(value)'")
        }
        return min(count, limits.maximumPageSize)
    }

    /// `_offset`: a non-negative integer.
    static func offset(_ value: String) throws -> Int {
        guard let offset = Int(value), offset >= 0 else {
            throw FHIRError(400, code: "invalid", "_offset must be a non-negative integer, not '\(value)'")
        }
        return offset
    }

    /// `_since`: an instant (a dateTime with a time).
    static func since(_ value: String) throws -> Date {
        guard let since = FHIRDateTime(value), since.hasTime else {
            throw FHIRError(400, code: "invalid", "_since must be an instant such as 2026-01-01T00:00:00Z, not '\(value)'")
        }
        return since.lowerBound
    }

    /// `url` with `parameters` (any `_offset` among them replaced) and `_offset=offset`: a paging link.
    static func pageURL(_ url: String, _ parameters: [(name: String, value: String)], offset: Int) -> String {
        let pairs = parameters.filter { $0.name != "_offset" } + [("_offset", String(offset))]
        return url + "?" + pairs.map { "\(encode($0.name))=\(encode($0.value))" }.joined(separator: "&")
    }

    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
