import FHIRCore
import Foundation
import Yams

extension MappingLoader {
    mutating func readMessageMapping(_ node: Node, file: String) throws(MappingError) {
        var types: [String] = []
        var resources: [ResourceRule] = []
        var merge: (String, String)?
        for (key, value) in try Self.mapping(node, "a mapping file", file) {
            switch key {
            case "messages":
                types = try Self.strings(value, key, file)
                for type in types where !type.contains("^") {
                    throw Self.fail("message types are written TYPE^TRIGGER (ADT^A01), not \(type)", value, file)
                }
            case "resources":
                guard let sequence = value.sequence else { throw Self.fail("resources must be a list", value, file) }
                for element in sequence { resources.append(try readResource(element, file: file)) }
            case "merge":
                let pairs = try Self.mapping(value, key, file)
                guard let survivor = pairs.first(where: { $0.key == "survivor" }),
                      let merged = pairs.first(where: { $0.key == "merged" }) else {
                    throw Self.fail("merge needs survivor and merged (resource names)", value, file)
                }
                merge = (try Self.string(survivor.value, "survivor", file), try Self.string(merged.value, "merged", file))
            default: break
            }
        }
        guard !types.isEmpty else { throw Self.fail("a message mapping needs messages: [TYPE^TRIGGER, ...]", node, file) }
        let names = Set(resources.map(\.name))
        guard names.count == resources.count else { throw Self.fail("resource names must be unique", node, file) }
        for resource in resources {
            try checkNames(resource.fields, names: names, resource: resource, file: file)
        }
        if let merge, !names.contains(merge.0) || !names.contains(merge.1) {
            throw Self.fail("merge names a resource this file does not produce", node, file)
        }
        let mapping = MessageMapping(messageTypes: types, resources: resources, merge: merge, file: file)
        for type in types {
            if let other = messages[type] {
                throw Self.fail("\(type) is mapped both here and in \(other.file)", node, file)
            }
            messages[type] = mapping
        }
    }

    /// Every `ref:` names a resource of the file; every `for:` names one or a segment ID.
    func checkNames(_ fields: [FieldRule], names: Set<String>, resource: ResourceRule, file: String) throws(MappingError) {
        for field in fields {
            if let name = field.reference, !names.contains(name) {
                throw MappingError(.invalidMapping, "\(resource.name).\(field.path): no resource named \(name)", file: field.location)
            }
            if let name = field.forEach, !names.contains(name),
               !(name.count == 3 && name.allSatisfy { $0.isUppercase || $0.isNumber }) {
                throw MappingError(.invalidMapping, "\(resource.name).\(field.path): for names neither a resource nor a segment",
                                   file: field.location)
            }
            if let object = field.object { try checkNames(object, names: names, resource: resource, file: file) }
        }
    }

    /// One entry of `resources:`, merged over its template (`use:`) when it names one.
    func readResource(_ node: Node, file: String) throws(MappingError) -> ResourceRule {
        var pairs = try Self.mapping(node, "a resource", file)
        var fieldsNodes: [(Node, String)] = []
        if let use = pairs.first(where: { $0.key == "use" }) {
            let name = try Self.string(use.value, "use", file)
            guard let template = templates[name] else { throw Self.fail("no template named \(name)", use.value, file) }
            let templatePairs = try Self.mapping(template.node, "a template", template.file)
            if let fields = templatePairs.first(where: { $0.key == "fields" }) { fieldsNodes.append((fields.value, template.file)) }
            let own = Set(pairs.map(\.key))
            pairs = templatePairs.filter { !own.contains($0.key) && $0.key != "fields" } + pairs
        }
        var rule = ResourceRule(name: "", type: "", request: .create, fields: [], location: file + (node.mark.map { ":\($0.line)" } ?? ""))
        var hasRequest = false
        for (key, value) in pairs {
            switch key {
            case "use": break
            case "name": rule.name = try Self.string(value, key, file)
            case "type": rule.type = try Self.string(value, key, file)
            case "foreach": rule.foreach = try Self.string(value, key, file)
            case "when": rule.when = try readCondition(value, file: file)
            case "request":
                guard let kind = RequestKind(rawValue: try Self.string(value, key, file)) else {
                    throw Self.fail("request must be update (conditional PUT) or create (POST with ifNoneExist)", value, file)
                }
                rule.request = kind
                hasRequest = true
            case "identity":
                if let scalar = value.scalar {
                    rule.identity = IdentityRule(preferredType: scalar.string == "identifier" ? nil : scalar.string)
                } else {
                    throw Self.fail("identity is `identifier` or the preferred identifier type code (e.g. MR)", value, file)
                }
            case "fields": fieldsNodes.append((value, file))
            default:
                throw Self.fail("unknown key \"\(key)\" in a resource (name, type, use, foreach, when, request, identity, fields)", node, file)
            }
        }
        guard !rule.name.isEmpty, !rule.type.isEmpty else { throw Self.fail("a resource needs name and type", node, file) }
        if hasRequest && rule.identity == nil { rule.identity = IdentityRule() }
        var fields: [FieldRule] = []
        for (fieldsNode, fieldsFile) in fieldsNodes {
            for field in try readFields(fieldsNode, file: fieldsFile) {
                fields.removeAll { $0.path == field.path }
                fields.append(field)
            }
        }
        rule.fields = fields
        return rule
    }

    /// `fields:` a mapping from element path to a rule; a plain scalar is a constant.
    func readFields(_ node: Node, file: String) throws(MappingError) -> [FieldRule] {
        var fields: [FieldRule] = []
        for (key, value) in try Self.mapping(node, "fields", file) {
            let path: ElementPath
            do { path = try ElementPath(parsing: key) } catch { throw Self.fail(error.message, node, file) }
            let location = file + (value.mark.map { ":\($0.line)" } ?? "")
            var field = FieldRule(path: path, location: location)
            if value.mapping == nil {
                field.constant = try Self.json(value, file)
                fields.append(field)
                continue
            }
            do {
                try readField(value, into: &field, file: file)
            } catch {
                throw MappingError(.invalidMapping, "\(key): \(error.message)", file: error.file ?? location)
            }
            fields.append(field)
        }
        return fields
    }
}
