import FHIRCore
import Foundation
import Yams

/// Reads mapping files (YAML) into rules; every error names the file and line.
struct MappingLoader {
    var terminology = Terminology()
    var messages: [String: MessageMapping] = [:]
    /// Resource templates (`templates:`), by name, with the file they came from.
    var templates: [String: (node: Node, file: String)] = [:]
    /// Message sections waiting for every template to be known.
    var pending: [(node: Node, file: String)] = []

    /// Reads every `*.yaml` of `directory` and `directory/codes`, then builds the message mappings.
    mutating func load(_ directory: URL) throws(MappingError) {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MappingError(.invalidMapping, "the mappings folder \(directory.path) does not exist")
        }
        for file in Self.yamlFiles(in: directory.appendingPathComponent("codes")) {
            try readCodeTable(try Self.compose(file), file: "codes/" + file.lastPathComponent)
        }
        for file in Self.yamlFiles(in: directory) {
            try readTopLevel(try Self.compose(file), file: file.lastPathComponent)
        }
        for (node, file) in pending { try readMessageMapping(node, file: file) }
    }

    static func yamlFiles(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            .map { directory.appendingPathComponent($0) }
    }

    static func compose(_ file: URL) throws(MappingError) -> Node {
        let name = file.lastPathComponent
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw MappingError(.invalidMapping, "cannot read the file: \(error.localizedDescription)", file: name)
        }
        do {
            return try Yams.compose(yaml: text) ?? Node.mapping(Node.Mapping([]))
        } catch {
            throw MappingError(.invalidMapping, "not valid YAML: \(error)", file: name)
        }
    }

    static func fail(_ message: String, _ node: Node?, _ file: String) -> MappingError {
        let line = node?.mark.map { ":\($0.line)" } ?? ""
        return MappingError(.invalidMapping, message, file: file + line)
    }

    static func mapping(_ node: Node, _ what: String, _ file: String) throws(MappingError) -> [(key: String, value: Node)] {
        guard let mapping = node.mapping else { throw fail("\(what) must be a mapping", node, file) }
        var pairs: [(key: String, value: Node)] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else { throw fail("\(what): keys must be text", key, file) }
            pairs.append((name, value))
        }
        return pairs
    }

    static func string(_ node: Node, _ what: String, _ file: String) throws(MappingError) -> String {
        guard let text = node.scalar?.string else { throw fail("\(what) must be text", node, file) }
        return text
    }

    /// A scalar or a list of scalars, as strings.
    static func strings(_ node: Node, _ what: String, _ file: String) throws(MappingError) -> [String] {
        if let scalar = node.scalar { return [scalar.string] }
        guard let sequence = node.sequence else { throw fail("\(what) must be text or a list", node, file) }
        var result: [String] = []
        for element in sequence { result.append(try string(element, what, file)) }
        return result
    }

    /// A YAML value as JSON: booleans and numbers (plain scalars) keep their JSON type.
    static func json(_ node: Node, _ file: String) throws(MappingError) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain {
                if scalar.string == "true" { return .bool(true) }
                if scalar.string == "false" { return .bool(false) }
                if let number = try? V2Primitives.decimal(scalar.string), number == scalar.string { return .number(number) }
            }
            return .string(scalar.string)
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            for element in sequence { elements.append(try json(element, file)) }
            return .array(elements)
        case .mapping:
            var object = JSONObject()
            for (key, value) in try mapping(node, "a value", file) { object[key] = try json(value, file) }
            return .object(object)
        case .alias:
            throw fail("aliases are not supported", node, file)
        }
    }

    mutating func readTopLevel(_ node: Node, file: String) throws(MappingError) {
        var isMessageMapping = false
        for (key, value) in try Self.mapping(node, "a mapping file", file) {
            switch key {
            case "messages", "resources", "merge": isMessageMapping = true
            case "templates":
                for (name, template) in try Self.mapping(value, "templates", file) { templates[name] = (template, file) }
            case "timezone-offset":
                let offset = try Self.string(value, key, file)
                guard offset == "Z" || (offset.count == 6 && (offset.hasPrefix("+") || offset.hasPrefix("-"))) else {
                    throw Self.fail("timezone-offset must be Z or +hh:mm / -hh:mm", value, file)
                }
                terminology.defaultOffset = offset
            case "coding-systems":
                for (name, uri) in try Self.mapping(value, key, file) {
                    terminology.codingSystems[name] = try Self.string(uri, name, file)
                }
            case "identifier-systems":
                for (name, uri) in try Self.mapping(value, key, file) {
                    terminology.identifierSystems[name] = try Self.string(uri, name, file)
                }
            default:
                throw Self.fail("unknown key \"\(key)\" (expected messages, resources, merge, templates, "
                    + "timezone-offset, coding-systems or identifier-systems)", node, file)
            }
        }
        if isMessageMapping { pending.append((node, file)) }
    }

    /// `mappings/codes/NAME.yaml`: `table`, `system` (the default), `codes: {v2: fhir | [fhir, display, system?]}`.
    mutating func readCodeTable(_ node: Node, file: String) throws(MappingError) {
        var name: String?
        var system: String?
        var codesNode: Node?
        for (key, value) in try Self.mapping(node, "a code table", file) {
            switch key {
            case "table": name = try Self.string(value, key, file)
            case "system": system = try Self.string(value, key, file)
            case "codes": codesNode = value
            default: throw Self.fail("unknown key \"\(key)\" in a code table (table, system, codes)", node, file)
            }
        }
        guard let name, let codesNode else { throw Self.fail("a code table needs table and codes", node, file) }
        var table = CodeTable(name: name, codes: [:])
        for (code, value) in try Self.mapping(codesNode, "codes", file) {
            let parts = try Self.strings(value, code, file)
            guard let target = parts.first, parts.count <= 3 else {
                throw Self.fail("\(code): expected a code or [code, display, system]", value, file)
            }
            table.codes[code] = MappedCode(code: target, display: parts.count > 1 ? parts[1] : nil,
                                           system: parts.count > 2 ? parts[2] : system)
        }
        terminology.tables[name] = table
    }
}
