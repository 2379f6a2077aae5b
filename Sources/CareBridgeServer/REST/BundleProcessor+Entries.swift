import Authorization
import FHIRCore
import Foundation
import NIOCore
import FHIRProfiles
import Store

/// How a transaction entry runs, decided before any entry is written.
enum EntryPlan: Sendable {
    /// Run the request as it is.
    case asIs
    /// Create with this id (ids are assigned first so that references to the entry can be rewritten).
    case create(id: String)
    /// A conditional create that matched this existing resource: nothing to write.
    case existing(id: String)
    /// A conditional update resolved to this id; `fresh` when nothing matched and the id was made up here, so
    /// that the resource is created without being looked for first.
    case update(id: String, fresh: Bool)
}

extension BundleProcessor {
    /// How `entry` runs; `criteria` are its conditional criteria as `prepareTransaction` read them.
    func plan(
        _ entry: BundleEntryRequest, criteria: Result<SearchQuery?, any Error>, session: StoreSession,
        resolver: inout ReferenceResolver
    ) async throws -> EntryPlan {
        let request = entry.request
        guard let type = request.path.first else {
            throw FHIRError(400, code: "not-supported", "A Bundle cannot be nested")
        }
        switch (request.method, request.path.count) {
        case ("POST", 1):
            let id: String
            let plan: EntryPlan
            _ = try handler.require(.create, type)
            if let criteria = try criteria.get() {
                try handler.requireUnconfined(.create, type, "A conditional create")
                let match = try await session.match(criteria, name: "If-None-Exist criteria")
                id = match ?? FHIRResource.newID()
                plan = match == nil ? .create(id: id) : .existing(id: id)
            } else {
                id = FHIRResource.newID()
                plan = .create(id: id)
            }
            if let fullUrl = entry.fullUrl { resolver.map(fullUrl, to: "\(type)/\(id)") }
            return plan
        case ("PUT", 1):
            try handler.requireUnconfined(.update, type, "A conditional update")
            var known = entry.resource?.id
            if let criteria = try criteria.get(), let match = try await session.match(criteria) { known = match }
            let id = known ?? FHIRResource.newID()
            if let fullUrl = entry.fullUrl { resolver.map(fullUrl, to: "\(type)/\(id)") }
            return .update(id: id, fresh: known == nil)
        case ("PUT", 2):
            if let fullUrl = entry.fullUrl { resolver.map(fullUrl, to: "\(type)/\(request.path[1])") }
            return .asIs
        default:
            return .asIs
        }
    }

    /// The criteria of a conditional create (`ifNoneExist`) or conditional update (`PUT Type?criteria`) entry; nil
    /// for any other entry.
    func criteria(of entry: BundleEntryRequest) throws -> SearchQuery? {
        let request = entry.request
        guard let type = request.path.first, request.path.count == 1 else { return nil }
        switch request.method {
        case "POST":
            guard let condition = request.ifNoneExist else { return nil }
            return try SearchQuery(
                conditional: RestHandler.stripTypePrefix(condition, type: type), type: type, registry: handler.registry)
        case "PUT":
            return try SearchQuery(conditional: request.queryString, type: type, registry: handler.registry)
        default:
            return nil
        }
    }

    func execute(_ entry: BundleEntryRequest, plan: EntryPlan, session: StoreSession, base: String) async throws -> FHIRResponse {
        var request = entry.request
        guard let type = request.path.first else {
            throw FHIRError(400, code: "not-supported", "A Bundle cannot be nested")
        }
        switch plan {
        case .asIs:
            let interaction = try FHIRInteraction.resolve(method: request.method, path: request.path)
            if interaction == .batchOrTransaction || interaction == .capabilities {
                throw FHIRError(400, code: "not-supported", "This interaction cannot be part of a transaction")
            }
            if !handler.registry.isServed(type) { throw FHIRError.notSupportedType(type) }
            return try await handler.perform(interaction, entry.finalRequest, in: session, base: base)
        case .create(let id):
            let patient = try handler.require(.create, type)
            let resource = try handler.checked(entry.resource, type: type)
            try handler.confineWrite(resource, to: patient)
            return handler.written(try await session.create(resource, assignedID: id), created: true, request)
        case .existing(let id):
            _ = try handler.require(.read, type)
            let stored = try await handler.existing(type, id, session, matched: true)
            return handler.written(stored, created: false, request)
        case .update(let id, let fresh):
            guard var resource = entry.resource else {
                throw FHIRError(400, code: "required", "A PUT entry needs a resource")
            }
            resource.id = id
            request.path = [type, id]
            request.queryString = ""
            return try await handler.update(type, id: id, request, session, freshID: fresh, resource: resource)
        }
    }

    static func responseEntry(_ response: FHIRResponse, base: String) -> BundleWriter.Entry {
        var result = JSONObject([("status", .string(response.statusLine))])
        if let location = response.location { result["location"] = .string(location) }
        if let etag = response.etag { result["etag"] = .string(etag) }
        if let lastModified = response.lastModified { result["lastModified"] = .string(FHIRInstant.string(from: lastModified)) }
        var entry = BundleWriter.Entry(response: result)
        switch response.body {
        case .outcome(let outcome):
            if response.status >= 400 {
                entry.outcome = ByteBuffer(bytes: outcome.resource.bytes)
            } else {
                entry.resource = ByteBuffer(bytes: outcome.resource.bytes)
            }
        case .json, .resource:
            entry.resource = response.bodyBytes
        case .none: break
        }
        if let location = response.location, let path = resourcePath(of: location) {
            entry.fullUrl = "\(base)/\(path)"
        }
        return entry
    }

    static func outcome(of response: FHIRResponse) -> OperationOutcome {
        if case .outcome(let outcome) = response.body { return outcome }
        return OperationOutcome(code: "processing", diagnostics: "The entry failed with status \(response.status)")
    }

    /// The error of entry `index`, its messages and expressions pointing into the Bundle.
    static func located(_ error: FHIRError, entry index: Int) -> FHIRError {
        let prefix = "Bundle.entry[\(index)]"
        let issues = error.outcome.issues.map { issue in
            var located = issue
            located.diagnostics = "\(prefix): \(issue.diagnostics)"
            located.expression = issue.expression.map { expression in
                guard let dot = expression.firstIndex(of: "."), expression.first?.isUppercase == true else {
                    return "\(prefix).resource.\(expression)"
                }
                return "\(prefix).resource" + expression[dot...]
            }
            if located.expression.isEmpty { located.expression = [prefix] }
            return located
        }
        return FHIRError(error.status, OperationOutcome(issues: issues))
    }
}
