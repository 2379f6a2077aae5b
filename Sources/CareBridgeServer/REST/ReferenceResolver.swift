import FHIRCore
import FHIRProfiles
import Store

/// Rewrites references between the entries of a transaction: `urn:uuid:...` full URLs to the ids the
/// entries got, and conditional references (`Patient?identifier=...`) to the one resource they match.
struct ReferenceResolver: Sendable {
    /// The search parameters conditional references may use.
    let registry: ProfileRegistry
    private var targets: [String: String] = [:]

    init(registry: ProfileRegistry) {
        self.registry = registry
    }

    /// Records that references to `fullUrl` mean `reference` (`Type/id`).
    mutating func map(_ fullUrl: String, to reference: String) {
        targets[fullUrl] = reference
    }

    /// `object` with every `reference` rewritten.
    func rewrite(_ object: JSONObject, session: StoreSession, entry: Int) async throws -> JSONObject {
        var result = object
        for (key, value) in object {
            result[key] = try await rewrite(value, key: key, session: session, entry: entry)
        }
        return result
    }

    private func rewrite(_ value: JSONValue, key: String, session: StoreSession, entry: Int) async throws -> JSONValue {
        switch value {
        case .string(let text) where key == "reference":
            if let target = targets[text] { return .string(target) }
            if text.hasPrefix("urn:uuid:") || text.hasPrefix("urn:oid:") {
                throw FHIRError(
                    400, code: "not-found", "Bundle.entry[\(entry)]: the reference \(text) names no entry of the transaction"
                )
            }
            if let question = text.firstIndex(of: "?"), !text.contains("/") {
                let type = String(text[..<question])
                let criteria = try SearchQuery(
                    conditional: String(text[text.index(after: question)...]), type: type, registry: registry
                )
                let ids = try await session.matches(criteria)
                guard ids.count == 1 else {
                    throw FHIRError(
                        ids.isEmpty ? 404 : 412, code: ids.isEmpty ? "not-found" : "multiple-matches",
                        "Bundle.entry[\(entry)]: the conditional reference \(text) matches \(ids.count) resources, not one"
                    )
                }
                return .string("\(type)/\(ids[0])")
            }
            return value
        case .object(let object):
            return .object(try await rewrite(object, session: session, entry: entry))
        case .array(let elements):
            var rewritten: [JSONValue] = []
            rewritten.reserveCapacity(elements.count)
            for element in elements {
                rewritten.append(try await rewrite(element, key: key, session: session, entry: entry))
            }
            return .array(rewritten)
        default:
            return value
        }
    }
}
