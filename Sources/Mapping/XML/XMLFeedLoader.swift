import Foundation
import SafeXML
import Yams

/// Reads `mappings/xml/*.yaml`: the file with a top-level `ccda:` key gives the C-CDA vocabulary, each file
/// with `vendor:` one vendor format. Every error names the file and line.
struct XMLFeedLoader {
    let terminology: Terminology
    var cda = CDATerminology()
    var vendors: [VendorMapping] = []

    init(terminology: Terminology) {
        self.terminology = terminology
        cda.defaultOffset = terminology.defaultOffset
    }

    mutating func load(_ directory: URL) throws(MappingError) {
        for file in MappingLoader.yamlFiles(in: directory) {
            let name = "xml/" + file.lastPathComponent
            for (key, value) in try MappingLoader.mapping(try MappingLoader.compose(file), "an XML feed file", name) {
                switch key {
                case "ccda": try readCDA(value, file: name)
                case "vendor":
                    let vendor = try readVendor(value, file: name)
                    if vendors.contains(where: { $0.name == vendor.name || $0.recognises(rootName: vendor.rootName, vendor.rootNamespace) }) {
                        throw MappingLoader.fail("another XML mapping already has the name \(vendor.name) or its root element", value, name)
                    }
                    vendors.append(vendor)
                default: throw MappingLoader.fail("unknown key \"\(key)\" (expected ccda or vendor)", value, name)
                }
            }
        }
    }

    private mutating func readCDA(_ node: Node, file: String) throws(MappingError) {
        func table(_ value: Node, _ key: String) throws(MappingError) -> [String: String] {
            var result: [String: String] = [:]
            for (code, target) in try MappingLoader.mapping(value, key, file) { result[code] = try MappingLoader.string(target, code, file) }
            return result
        }
        for (key, value) in try MappingLoader.mapping(node, "ccda", file) {
            switch key {
            case "code-systems": cda.codeSystems = try table(value, key)
            case "identifier-systems": cda.identifierSystems = try table(value, key)
            case "report-status": cda.reportStatus = try table(value, key)
            case "observation-status": cda.observationStatus = try table(value, key)
            case "gender": cda.gender = try table(value, key)
            default:
                throw MappingLoader.fail("unknown key \"\(key)\" in ccda (code-systems, identifier-systems, report-status, "
                    + "observation-status, gender)", value, file)
            }
        }
    }
}

extension VendorMapping {
    func recognises(rootName: String, _ namespace: String?) -> Bool {
        self.rootName == rootName && rootNamespace == namespace
    }
}

/// The keys of one YAML mapping, checked against the allowed ones, with helpers that read rules from them.
struct VendorSection {
    let pairs: [(key: String, value: Node)]
    let node: Node
    let file: String
    let namespaces: [String: String]
    let tables: [String: CodeTable]

    init(_ node: Node, _ what: String, allowed: [String], file: String, namespaces: [String: String],
         tables: [String: CodeTable]) throws(MappingError) {
        pairs = try MappingLoader.mapping(node, what, file)
        for pair in pairs where !allowed.contains(pair.key) {
            throw MappingLoader.fail("unknown key \"\(pair.key)\" in \(what) (expected \(allowed.joined(separator: ", ")))", pair.value, file)
        }
        self.node = node
        self.file = file
        self.namespaces = namespaces
        self.tables = tables
    }

    subscript(key: String) -> Node? { pairs.first { $0.key == key }?.value }

    func required(_ key: String, in what: String) throws(MappingError) -> Node {
        guard let value = self[key] else { throw MappingLoader.fail("\(what) needs \(key)", node, file) }
        return value
    }

    func section(_ node: Node, _ what: String, allowed: [String]) throws(MappingError) -> VendorSection {
        try VendorSection(node, what, allowed: allowed, file: file, namespaces: namespaces, tables: tables)
    }

    func path(_ node: Node) throws(MappingError) -> SafeXMLPath {
        try path(try MappingLoader.string(node, "a selector", file), at: node)
    }

    func path(_ text: String, at node: Node) throws(MappingError) -> SafeXMLPath {
        do {
            return try SafeXMLPath(text, namespaces: namespaces)
        } catch {
            throw MappingLoader.fail("\"\(text)\" is not a selector: \(error.reason)", node, file)
        }
    }

    /// A value rule: a selector written alone, or `{path, const, map, table, default, format}`.
    func value(_ key: String) throws(MappingError) -> XMLValueRule? {
        guard let node = self[key] else { return nil }
        return try value(node)
    }

    func value(_ node: Node) throws(MappingError) -> XMLValueRule {
        let location = file + (node.mark.map { ":\($0.line)" } ?? "")
        if node.scalar != nil { return XMLValueRule(paths: [try path(node)], location: location) }
        let rule = try section(node, "a value", allowed: ["path", "const", "map", "table", "default", "format"])
        var result = XMLValueRule(location: location)
        if let paths = rule["path"] {
            for text in try MappingLoader.strings(paths, "path", file) {
                result.paths.append(try path(text, at: paths))
            }
        }
        result.constant = try rule["const"].map { node throws(MappingError) in try MappingLoader.string(node, "const", file) }
        result.defaultValue = try rule["default"].map { node throws(MappingError) in try MappingLoader.string(node, "default", file) }
        if let map = rule["map"] {
            var entries: [String: String] = [:]
            for (code, target) in try MappingLoader.mapping(map, "map", file) { entries[code] = try MappingLoader.string(target, code, file) }
            result.map = entries
        }
        if let table = rule["table"] {
            let name = try MappingLoader.string(table, "table", file)
            guard let found = tables[name] else { throw MappingLoader.fail("no code table \(name) in mappings/codes", table, file) }
            result.table = found
        }
        if let format = rule["format"] { result.format = try XMLTimeFormat(try MappingLoader.string(format, "format", file)) }
        guard !result.paths.isEmpty || result.constant != nil else {
            throw MappingLoader.fail("a value needs path or const", node, file)
        }
        return result
    }

    /// `{code, system, display}`.
    func code(_ key: String) throws(MappingError) -> XMLCodeRule? {
        guard let node = self[key] else { return nil }
        let rule = try section(node, key, allowed: ["code", "system", "display"])
        return XMLCodeRule(code: try rule.value(try rule.required("code", in: key)), system: try rule.value("system"),
                           display: try rule.value("display"))
    }

    /// `{value, system}`.
    func identifier(_ key: String) throws(MappingError) -> XMLIdentifierRule? {
        guard let node = self[key] else { return nil }
        let rule = try section(node, key, allowed: ["value", "system"])
        return XMLIdentifierRule(value: try rule.value(try rule.required("value", in: key)), system: try rule.value("system"))
    }
}
