import FHIRCore

/// Walks one resource against the compiled structures and collects issues.
struct ResourceValidator {
    let structures: StructureTables
    private(set) var issues: [OperationOutcome.Issue] = []
    var path = ValidationPath(root: "")
    /// Whether the walk is inside a contained resource (which may not contain others).
    var insideContained = false

    init(structures: StructureTables) {
        self.structures = structures
    }

    /// Validates a whole resource found at `path` (the root, a contained resource, a Bundle entry...).
    mutating func validateResource(_ object: JSONObject, path: ValidationPath) {
        self.path = path
        validateResource(object)
    }

    mutating func report(_ code: String, _ message: String, at child: String? = nil) {
        issues.append(OperationOutcome.Issue(
            severity: "error", code: code, diagnostics: message, expression: [path.rendered(child)]))
    }

    /// Validates the resource at the current path by its own `resourceType`.
    mutating func validateResource(_ object: JSONObject) {
        guard let typeValue = object["resourceType"] else {
            report("required", "A resource must have a resourceType", at: "resourceType")
            return
        }
        guard let type = typeValue.stringValue else {
            report("structure", "resourceType must be a string, not \(typeValue.kindName)", at: "resourceType")
            return
        }
        guard let structure = structures.resources[type], !structure.isAbstract else {
            report("invalid", "Unknown resource type '\(type)'", at: "resourceType")
            return
        }
        validateObject(object, table: structure.table, isResourceRoot: true)
    }

    /// Validates the members of an object against element table `tableIndex`.
    mutating func validateObject(_ object: JSONObject, table tableIndex: Int, isResourceRoot: Bool = false) {
        let table = structures.tables[tableIndex]
        if object.isEmpty {
            report("structure", "An element must have a value or children; empty objects are not allowed")
        }
        var choicesSeen: [(base: String, name: String)] = []
        for (key, value) in object {
            if isResourceRoot, key == "resourceType" { continue }
            if key.utf8.first == UInt8(ascii: "_") {
                validatePrimitiveExtension(key, value, in: object, table: table)
                continue
            }
            guard let rule = table.rules[key] else {
                reportUnknown(key, in: table)
                continue
            }
            if let base = rule.choiceBase {
                if let other = choicesSeen.first(where: { $0.base == base }) {
                    report("structure", "Only one of \(base)[x] is allowed, found \(other.name) and \(key)", at: key)
                } else {
                    choicesSeen.append((base, key))
                }
            }
            validateMember(value, rule: rule, in: object)
        }
        for required in table.required {
            let count = required.names.lazy.compactMap { object[$0] }.map { $0.arrayValue?.count ?? 1 }.max() ?? 0
            if count == 0 {
                report("required", "Missing required element '\(required.displayName)'", at: required.displayName)
            } else if count < required.min {
                report(
                    "required", "'\(required.displayName)' needs at least \(required.min) values, found \(count)",
                    at: required.displayName)
            }
        }
        if table.isExtension { checkExtensionContent(object, table: table) }
        if isResourceRoot, insideContained, object["contained"] != nil {
            report("invariant", "A contained resource cannot itself contain resources (dom-2)", at: "contained")
        }
    }

    private mutating func reportUnknown(_ key: String, in table: ElementTable) {
        let choice = table.rules.values.first { rule in
            guard let base = rule.choiceBase else { return false }
            return key.hasPrefix(base) && key.count > base.count && key.dropFirst(base.count).first?.isUppercase == true
        }
        if let base = choice?.choiceBase {
            let allowed = table.rules.values.filter { $0.choiceBase == base }.map(\.typeName).sorted()
            report(
                "structure",
                "'\(key)' is not a valid type for \(base)[x]; allowed: \(allowed.joined(separator: ", "))", at: key)
        } else {
            report("structure", "Unknown element '\(key)'", at: key)
        }
    }

    /// Extension: `url` is required (by its table); it has a value[x] or nested extensions, not both (ext-1).
    private mutating func checkExtensionContent(_ object: JSONObject, table: ElementTable) {
        let hasValue = object.keys.contains { key in
            let name = key.hasPrefix("_") ? String(key.dropFirst()) : key
            return table.rules[name]?.choiceBase == "value"
        }
        let hasExtensions = object["extension"] != nil
        if hasValue == hasExtensions {
            report(
                "invariant",
                hasValue
                    ? "An extension cannot have both a value[x] and nested extensions (ext-1)"
                    : "An extension must have a value[x] or nested extensions (ext-1)")
        }
    }
}
