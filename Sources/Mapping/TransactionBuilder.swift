import FHIRCore

/// Turns the produced resources into a transaction Bundle: each gets its request (conditional update or
/// conditional create on its identifier), and resources that match the same identifier are written once.
struct TransactionBuilder {
    /// The `identifier` a resource is matched by, and the search criteria for it.
    static func identity(of resource: JSONObject, rule: IdentityRule) -> (key: IdentifierKey, criteria: String)? {
        let identifiers: [JSONObject]
        if let array = resource["identifier"]?.arrayValue {
            identifiers = array.compactMap(\.objectValue)
        } else if let single = resource["identifier"]?.objectValue {
            identifiers = [single]
        } else {
            identifiers = []
        }
        func typeCode(_ identifier: JSONObject) -> String? {
            identifier["type"]?["coding"]?.arrayValue?.first?["code"]?.stringValue ?? identifier["type"]?["text"]?.stringValue
        }
        let usable = identifiers.filter { $0["system"]?.stringValue != nil && $0["value"]?.stringValue != nil }
        let chosen = rule.preferredType.flatMap { type in usable.first { typeCode($0) == type } } ?? usable.first
        guard let chosen, let system = chosen["system"]?.stringValue, let value = chosen["value"]?.stringValue else {
            return nil
        }
        let key = IdentifierKey(system: system, value: value)
        return (key, key.criteria)
    }

    /// A token part escaped for FHIR search (`\ | , $`) and then for a URL query.
    static func searchEscaped(_ text: String) -> String {
        guard text.utf8.contains(where: { Self.searchSpecial.contains($0) }) else {
            return Terminology.percentEncoded(text, keeping: ":/")
        }
        var escaped: [UInt8] = []
        for byte in text.utf8 {
            if Self.searchSpecial.contains(byte) { escaped.append(UInt8(ascii: "\\")) }
            escaped.append(byte)
        }
        return Terminology.percentEncoded(String(decoding: escaped, as: UTF8.self), keeping: ":/")
    }

    /// The characters a search value escapes with a backslash: `\`, `|`, `,` and `$`.
    private static let searchSpecial: [UInt8] = Array("\\|,$".utf8)

    /// The Bundle entries, with duplicates (same type and identity) folded into the first and references to
    /// them redirected. Also returns the identity key of each rule name's first instance.
    static func bundle(_ instances: [ResourceInstance]) -> (bundle: FHIRResource, keys: [String: IdentifierKey]) {
        var entries: [JSONValue] = []
        var seen: [String: String] = [:]
        var aliases: [String: String] = [:]
        var keys: [String: IdentifierKey] = [:]
        var kept: [(ResourceInstance, JSONObject)] = []
        for instance in instances {
            let type = instance.rule.type
            var request = JSONObject()
            if let rule = instance.rule.identity, let identity = identity(of: instance.resource, rule: rule) {
                if keys[instance.rule.name] == nil { keys[instance.rule.name] = identity.key }
                let dedupeKey = type + "?" + identity.criteria
                if let first = seen[dedupeKey] {
                    aliases[instance.fullUrl] = first
                    continue
                }
                seen[dedupeKey] = instance.fullUrl
                switch instance.rule.request {
                case .update:
                    request["method"] = .string("PUT")
                    request["url"] = .string(type + "?" + identity.criteria)
                case .create:
                    request["method"] = .string("POST")
                    request["url"] = .string(type)
                    request["ifNoneExist"] = .string(identity.criteria)
                }
            } else {
                request["method"] = .string("POST")
                request["url"] = .string(type)
            }
            kept.append((instance, request))
        }
        for (instance, request) in kept {
            let resource = aliases.isEmpty ? instance.resource : redirect(instance.resource, aliases)
            entries.append(.object(JSONObject([
                ("fullUrl", .string(instance.fullUrl)), ("resource", .object(resource)), ("request", .object(request)),
            ])))
        }
        let bundle = FHIRResource(resourceType: "Bundle", [("type", .string("transaction")), ("entry", .array(entries))])
        return (bundle, keys)
    }

    static func redirect(_ object: JSONObject, _ aliases: [String: String]) -> JSONObject {
        var result = object
        for (key, value) in object { result[key] = redirect(value, key: key, aliases) }
        return result
    }

    private static func redirect(_ value: JSONValue, key: String, _ aliases: [String: String]) -> JSONValue {
        switch value {
        case .string(let text) where key == "reference": .string(aliases[text] ?? text)
        case .object(let object): .object(redirect(object, aliases))
        case .array(let elements): .array(elements.map { redirect($0, key: key, aliases) })
        default: value
        }
    }
}
