/// What a FHIR request asks for, from its method and path (https://hl7.org/fhir/R4/http.html).
public enum FHIRInteraction: Sendable, Hashable {
    case capabilities
    case batchOrTransaction
    case historySystem
    case search(type: String)
    /// `GET /Patient/[id]/[type]`: a search on `type` within a Patient's compartment.
    case compartmentSearch(compartment: String, id: String, type: String)
    /// `GET /Patient/[id]/$everything`.
    case everything(type: String, id: String)
    /// `GET /Subscription/[id]/$status` or `$events` (R4 Subscriptions Backport IG).
    case subscriptionOperation(id: String, name: String)
    case create(type: String)
    case conditionalUpdate(type: String)
    case conditionalPatch(type: String)
    case conditionalDelete(type: String)
    case historyType(type: String)
    case validate(type: String)
    case read(type: String, id: String)
    case update(type: String, id: String)
    case patch(type: String, id: String)
    case delete(type: String, id: String)
    case historyInstance(type: String, id: String)
    case vread(type: String, id: String, version: String)

    /// The interaction for `method` on `path`; throws 405 for a method the path does not take, 404 for a
    /// path that names nothing.
    public static func resolve(method: String, path: [String]) throws(FHIRError) -> FHIRInteraction {
        let shown = "/" + path.joined(separator: "/")
        func notAllowed() -> FHIRError { .methodNotAllowed(method, shown) }
        switch path.count {
        case 0:
            guard method == "POST" else { throw notAllowed() }
            return .batchOrTransaction
        case 1:
            switch (path[0], method) {
            case ("metadata", "GET"): return .capabilities
            case ("metadata", _): throw notAllowed()
            case ("_history", "GET"): return .historySystem
            case ("_history", _): throw notAllowed()
            case (let type, "GET"): return .search(type: type)
            case (let type, "POST"): return .create(type: type)
            case (let type, "PUT"): return .conditionalUpdate(type: type)
            case (let type, "PATCH"): return .conditionalPatch(type: type)
            case (let type, "DELETE"): return .conditionalDelete(type: type)
            default: throw notAllowed()
            }
        case 2:
            let (type, second) = (path[0], path[1])
            switch (second, method) {
            case ("_history", "GET"): return .historyType(type: type)
            case ("_history", _): throw notAllowed()
            case ("$validate", "POST"): return .validate(type: type)
            case ("$validate", _): throw notAllowed()
            case ("_search", "POST"): return .search(type: type)
            case ("_search", _): throw notAllowed()
            case ("$everything", _):
                throw FHIRError(400, code: "not-supported", "$everything is supported on one patient: /Patient/[id]/$everything")
            case (let operation, _) where operation.hasPrefix("$"):
                throw FHIRError(400, code: "not-supported", "The operation \(operation) is not supported")
            case (_, "GET"), (_, "HEAD"): return .read(type: type, id: second)
            case (_, "PUT"): return .update(type: type, id: second)
            case (_, "PATCH"): return .patch(type: type, id: second)
            case (_, "DELETE"): return .delete(type: type, id: second)
            default: throw notAllowed()
            }
        case 3 where path[2] == "_history":
            guard method == "GET" else { throw notAllowed() }
            return .historyInstance(type: path[0], id: path[1])
        case 3 where path[2] == "$everything":
            guard method == "GET" || method == "POST" else { throw notAllowed() }
            return .everything(type: path[0], id: path[1])
        case 3 where path[0] == "Subscription" && (path[2] == "$status" || path[2] == "$events"):
            guard method == "GET" || method == "POST" else { throw notAllowed() }
            return .subscriptionOperation(id: path[1], name: path[2])
        case 3 where path[2].hasPrefix("$"):
            throw FHIRError(400, code: "not-supported", "The operation \(path[2]) is not supported")
        case 3:
            guard method == "GET" || method == "HEAD" else { throw notAllowed() }
            return .compartmentSearch(compartment: path[0], id: path[1], type: path[2])
        case 4 where path[2] == "_history":
            guard method == "GET" || method == "HEAD" else { throw notAllowed() }
            return .vread(type: path[0], id: path[1], version: path[3])
        default:
            throw FHIRError(404, code: "not-found", "Nothing is served at \(shown)")
        }
    }

    /// The resource type the interaction concerns, if any.
    public var resourceType: String? {
        switch self {
        case .capabilities, .batchOrTransaction, .historySystem: nil
        case .search(let type), .compartmentSearch(_, _, let type), .create(let type), .conditionalUpdate(let type), .conditionalPatch(let type),
            .conditionalDelete(let type), .historyType(let type), .validate(let type):
            type
        case .read(let type, _), .update(let type, _), .patch(let type, _), .delete(let type, _),
            .historyInstance(let type, _), .vread(let type, _, _), .everything(let type, _):
            type
        case .subscriptionOperation: "Subscription"
        }
    }
}
