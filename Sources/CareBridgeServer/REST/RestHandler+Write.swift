import Authorization
import FHIRCore
import Foundation
import FHIRProfiles
import NIOCore
import Store

extension RestHandler {
    func create(_ type: String, _ request: FHIRRequest, _ session: StoreSession) async throws -> FHIRResponse {
        let patient = try require(.create, type)
        let resource = try checkedResource(request, type: type)
        try confineWrite(resource, to: patient)
        if let condition = request.ifNoneExist {
            try requireUnconfined(.create, type, "A conditional create")
            let criteria = try SearchQuery(conditional: Self.stripTypePrefix(condition, type: type), type: type, registry: registry)
            let (stored, created) = try await session.create(resource, ifNoneExist: criteria)
            return written(stored, created: created, request)
        }
        return written(try await session.create(resource), created: true, request)
    }

    /// Update by id, or conditional update when `id` is nil (criteria in the query string).
    func update(
        _ type: String, id: String?, _ request: FHIRRequest, _ session: StoreSession, freshID: Bool = false,
        resource given: FHIRResource? = nil
    ) async throws -> FHIRResponse {
        let patient = try require(.update, type)
        let resource = try given.map { try checked($0, type: type) } ?? checkedResource(request, type: type)
        try confineWrite(resource, to: patient)
        let ifMatch = try Self.version(ofETag: request.ifMatch)
        guard let id else {
            try requireUnconfined(.update, type, "A conditional update")
            let criteria = try conditionalCriteria(request, type: type)
            let (stored, created) = try await session.update(
                resource, matching: criteria, ifMatch: ifMatch, keepingUnchanged: keepsUnchanged)
            return written(stored, created: created, request)
        }
        guard let bodyID = resource.id else {
            throw FHIRError(400, code: "required", "The resource has no id; an update must carry the id of its URL", expression: ["\(type).id"])
        }
        guard bodyID == id else {
            throw FHIRError(400, code: "invalid", "The resource id '\(bodyID)' does not match the URL id '\(id)'", expression: ["\(type).id"])
        }
        if patient != nil, let current = try await session.read(type, id) { try confine(current, to: patient) }
        let (stored, created) = try await session.update(
            resource, id: id, ifMatch: ifMatch, keepingUnchanged: keepsUnchanged, freshID: freshID)
        return written(stored, created: created, request)
    }

    /// JSON Patch by id, or of the one match of the criteria when `id` is nil.
    func patch(_ type: String, id: String?, _ request: FHIRRequest, _ session: StoreSession) async throws -> FHIRResponse {
        let patient = try require(.update, type)
        guard request.isJSONPatch else {
            throw FHIRError(415, code: "not-supported", "PATCH takes application/json-patch+json")
        }
        guard let body = request.body, body.readableBytes > 0 else {
            throw FHIRError(400, code: "required", "PATCH needs a JSON Patch document")
        }
        let document: JSONValue
        do {
            document = try JSONParser().parse(body.readableBytesView)
        } catch {
            throw FHIRError(400, code: "structure", "The patch is not valid JSON: \(error)")
        }
        let patch = try JSONPatch(parsing: document)
        let targetID: String
        if let id {
            targetID = id
        } else {
            try requireUnconfined(.update, type, "A conditional patch")
            guard let match = try await session.match(try conditionalCriteria(request, type: type)) else {
                throw FHIRError(404, code: "not-found", "No \(type) matches the criteria")
            }
            targetID = match
        }
        let requested = try Self.version(ofETag: request.ifMatch)
        for _ in 0..<10 {
            let current = try await existing(type, targetID, session, confinedTo: patient)
            if let requested, requested != current.versionId {
                throw FHIRError(412, code: "conflict", "\(type)/\(targetID) is at version \(current.versionId), not \(requested)")
            }
            let original = try FHIRResource(parsing: current.body.readableBytesView)
            guard case .object(let object) = try patch.apply(to: .object(original.json)),
                  let patched = FHIRResource(json: object)
            else {
                throw FHIRError(422, code: "processing", "The patched document is not a resource")
            }
            guard patched.resourceType == type, patched.id == targetID else {
                throw FHIRError(422, code: "processing", "A patch may not change resourceType or id")
            }
            try validate(patched)
            try confineWrite(patched, to: patient)
            let admitted = try admitted(patched)
            do {
                let (stored, _) = try await session.update(admitted, id: targetID, ifMatch: current.versionId, method: "PATCH")
                return written(stored, created: false, request)
            } catch {
                // Someone else wrote in between: patch the newer version, unless the client pinned one.
                guard error.code == .versionConflict, requested == nil else { throw error }
            }
        }
        throw FHIRError(409, code: "conflict", "\(type)/\(targetID) kept changing while being patched; try again")
    }

    /// Delete by id, or of the one match of the criteria when `id` is nil.
    func delete(_ type: String, id: String?, _ request: FHIRRequest, _ session: StoreSession) async throws -> FHIRResponse {
        let patient = try require(.delete, type)
        let deletion: StoredResource?
        if let id {
            guard let current = try await session.read(type, id) else {
                throw FHIRError(404, code: "not-found", "\(type)/\(id) does not exist")
            }
            try confine(current, to: patient)
            deletion = current.deleted ? nil : try await session.delete(type, id)
        } else {
            try requireUnconfined(.delete, type, "A conditional delete")
            deletion = try await session.delete(matching: try conditionalCriteria(request, type: type))
        }
        var response = FHIRResponse(status: 204, versionId: deletion?.versionId, lastModified: deletion?.lastUpdated)
        if request.preferReturn == .operationOutcome {
            let what = deletion.map { "Deleted \($0.reference)" } ?? "Nothing to delete"
            response.status = 200
            response.body = .outcome(OperationOutcome(severity: "information", code: "informational", diagnostics: what))
        }
        return response
    }

    /// `$validate`: checks a resource (or a Parameters with a `resource` parameter) without storing it.
    func validate(_ type: String, _ request: FHIRRequest) throws -> FHIRResponse {
        guard allows(.create, type) || allows(.update, type) else {
            throw FHIRError(403, code: "forbidden", "The access token does not allow writing \(type), so it cannot validate one")
        }
        guard let body = request.body, body.readableBytes > 0 else {
            throw FHIRError(400, code: "required", "$validate needs a resource in the body")
        }
        var resource = try FHIRResource(parsing: body.readableBytesView)
        if resource.resourceType == "Parameters" {
            let parameter = resource.json["parameter"]?.arrayValue?.first { $0["name"]?.stringValue == "resource" }
            guard let inner = parameter?["resource"]?.objectValue, let wrapped = FHIRResource(json: inner) else {
                throw FHIRError(400, code: "required", "The Parameters have no 'resource' parameter")
            }
            resource = wrapped
        }
        guard resource.resourceType == type else {
            throw FHIRError(400, code: "invalid", "The resource is a \(resource.resourceType), not a \(type)", expression: ["resourceType"])
        }
        let issues = registry.validate(resource)
        let outcome = issues.isEmpty
            ? OperationOutcome(severity: "information", code: "informational", diagnostics: "No issues found")
            : OperationOutcome(issues: issues)
        return FHIRResponse(status: 200, body: .outcome(outcome))
    }

    /// The request body as a resource of `type`, checked against the profiles.
    func checkedResource(_ request: FHIRRequest, type: String) throws -> FHIRResource {
        guard let body = request.body, body.readableBytes > 0 else {
            throw FHIRError(400, code: "required", "The request has no resource in its body")
        }
        return try checked(FHIRResource(parsing: body.readableBytesView), type: type)
    }

    /// `resource` (a transaction entry's, already read) checked as `checkedResource(_:type:)` checks a body: 400
    /// when there is none or it is of another type, 422 when it breaks the profiles; returns it as admitted.
    func checked(_ resource: FHIRResource?, type: String) throws -> FHIRResource {
        guard let resource else {
            throw FHIRError(400, code: "required", "The request has no resource in its body")
        }
        guard resource.resourceType == type else {
            throw FHIRError(
                400, code: "invalid", "The resource is a \(resource.resourceType) but the URL is for \(type)",
                expression: ["resourceType"]
            )
        }
        try validate(resource)
        return try admitted(resource)
    }

    /// Throws 422 with every issue when `resource` breaks the profiles.
    func validate(_ resource: FHIRResource) throws {
        let issues = registry.validate(resource)
        let outcome = OperationOutcome(issues: issues)
        if outcome.hasErrors { throw FHIRError(422, outcome) }
    }

    /// The criteria of a conditional update, patch or delete: a search on any parameter of `type`.
    func conditionalCriteria(_ request: FHIRRequest, type: String) throws -> SearchQuery {
        guard !request.queryString.isEmpty else {
            throw FHIRError(400, code: "required", "A conditional \(request.method) needs search criteria in the URL")
        }
        return try SearchQuery(conditional: request.queryString, type: type, registry: registry)
    }

    /// The response to a successful write, shaped by `Prefer: return=`.
    func written(_ stored: StoredResource, created: Bool, _ request: FHIRRequest) -> FHIRResponse {
        var response = FHIRResponse(
            status: created ? 201 : 200, location: "\(stored.reference)/_history/\(stored.versionId)",
            versionId: stored.versionId, lastModified: stored.lastUpdated
        )
        switch request.preferReturn {
        case .minimal: break
        case .representation: response.body = .json(stored.body)
        case .operationOutcome:
            let verb = created ? "Created" : "Updated"
            response.body = .outcome(OperationOutcome(
                severity: "information", code: "informational", diagnostics: "\(verb) \(stored.reference)"
            ))
        }
        return response
    }

    /// The version number of an ETag (`W/"3"`, `"3"` or `3`); nil when there is none.
    static func version(ofETag etag: String?) throws -> Int? {
        guard var text = etag?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if text.hasPrefix("W/") { text.removeFirst(2) }
        text = text.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        guard let version = Int(text), version > 0 else {
            throw FHIRError(400, code: "invalid", "'\(etag ?? "")' is not a version ETag such as W/\"3\"")
        }
        return version
    }

    /// `If-None-Exist` may be written `Patient?identifier=...` or just `identifier=...`.
    static func stripTypePrefix(_ condition: String, type: String) -> String {
        if let question = condition.firstIndex(of: "?") { return String(condition[condition.index(after: question)...]) }
        return condition
    }
}
