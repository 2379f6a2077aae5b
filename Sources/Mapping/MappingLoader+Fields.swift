import FHIRCore
import Foundation
import Yams

extension MappingLoader {
    func readField(_ node: Node, into field: inout FieldRule, file: String) throws(MappingError) {
        for (key, value) in try Self.mapping(node, "a field rule", file) {
            switch key {
            case "from":
                field.from = []
                for text in try Self.strings(value, key, file) { field.from.append(try Self.source(text, value, file)) }
            case "concat":
                field.concat = true
                for text in try Self.strings(value, key, file) { field.from.append(try Self.source(text, value, file)) }
            case "as":
                let name = try Self.string(value, key, file)
                guard let converter = Converter(name: name) else {
                    let known = Converter.allCases.map(\.rawValue).joined(separator: ", ")
                    throw Self.fail("unknown converter \(name) (known: \(known))", value, file)
                }
                field.converter = converter
            case "table":
                let name = try Self.string(value, key, file)
                guard terminology.tables[name] != nil else {
                    throw Self.fail("no code table \(name) in mappings/codes", value, file)
                }
                field.table = name
            case "map":
                var map: [String: String] = [:]
                for (code, target) in try Self.mapping(value, key, file) { map[code] = try Self.string(target, code, file) }
                field.inlineMap = map
            case "default": field.defaultValue = try Self.json(value, file)
            case "value": field.constant = try Self.json(value, file)
            case "template":
                do { field.template = try Template(parsing: try Self.string(value, key, file)) } catch {
                    throw Self.fail(error.message, value, file)
                }
            case "ref": field.reference = try Self.string(value, key, file)
            case "for": field.forEach = try Self.string(value, key, file)
            case "when": field.when = try readCondition(value, file: file)
            case "object": field.object = try readFields(value, file: file)
            case "sum": field.sum = try Self.source(try Self.string(value, key, file), value, file)
            case "unit": field.unit = try Self.source(try Self.string(value, key, file), value, file)
            case "currency": field.currency = try Self.source(try Self.string(value, key, file), value, file)
            case "required": field.required = value.bool ?? false
            default:
                throw Self.fail("unknown key \"\(key)\" (from, concat, as, table, map, default, value, template, ref, "
                    + "for, when, object, sum, unit, currency, required)", node, file)
            }
        }
        let sources = [!field.from.isEmpty, field.constant != nil, field.template != nil, field.reference != nil,
                       field.object != nil, field.sum != nil].filter { $0 }.count
        guard sources == 1 || (sources == 0 && field.defaultValue != nil) else {
            throw Self.fail("give exactly one of from, concat, value, template, ref, object, sum", node, file)
        }
    }

    static func source(_ text: String, _ node: Node, _ file: String) throws(MappingError) -> SourcePath {
        do { return try SourcePath(parsing: text) } catch { throw fail(error.message, node, file) }
    }

    /// `when:` a path that must have a value, or a mapping of present/absent/path+in/notIn/trigger.
    func readCondition(_ node: Node, file: String) throws(MappingError) -> Condition {
        var condition = Condition()
        func alternatives(_ text: String) throws(MappingError) -> [SourcePath] {
            var paths: [SourcePath] = []
            for part in text.split(separator: "|") { paths.append(try Self.source(String(part), node, file)) }
            return paths
        }
        if let scalar = node.scalar {
            condition.present = [try alternatives(scalar.string)]
            return condition
        }
        for (key, value) in try Self.mapping(node, "when", file) {
            switch key {
            case "present":
                for text in try Self.strings(value, key, file) { condition.present.append(try alternatives(text)) }
            case "absent":
                for text in try Self.strings(value, key, file) { condition.absent.append(try alternatives(text)) }
            case "path": condition.path = try alternatives(try Self.string(value, key, file))
            case "in": condition.values = try Self.strings(value, key, file)
            case "notIn": condition.excluded = try Self.strings(value, key, file)
            case "trigger": condition.triggers = try Self.strings(value, key, file)
            default: throw Self.fail("unknown key \"\(key)\" in when (present, absent, path, in, notIn, trigger)", node, file)
            }
        }
        if condition.path != nil, condition.values == nil, condition.excluded == nil {
            throw Self.fail("when.path needs in or notIn", node, file)
        }
        return condition
    }
}
