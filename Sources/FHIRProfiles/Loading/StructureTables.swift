import FHIRCore

/// The compiled structures: every element table, resource and primitive type, and enforced value sets.
struct StructureTables: Sendable {
    /// Element tables, referenced by index from rules.
    var tables: [ElementTable] = []
    /// Resource types (abstract ones included) by name.
    var resources: [String: ResourceStructure] = [:]
    /// Required-binding value sets that can be enforced.
    var valueSets: [ValueSetRule] = []
    /// Value set URLs that are bound but cannot be expanded, with the reason.
    var unenforcedValueSets: [String: String] = [:]
    /// The table of `Element` (id and extension), for the `_name` siblings of primitive elements.
    var elementTable: Int?
}

/// One StructureDefinition as written in `structures.json`.
private struct RawStructure {
    let name: String
    let kind: String
    let base: String?
    let isAbstract: Bool
    let json: String
    let regex: String?
    /// Element paths relative to the type (`contact.name`) with their specification, sorted by path.
    let elements: [(path: String, spec: JSONObject)]
}

/// Turns `structures.json` and `valuesets.json` into lookup tables.
struct StructureCompiler {
    private let structuresFile: ProfileFile
    private var raw: [String: RawStructure] = [:]
    private var primitives: [String: PrimitiveType] = [:]
    private var tableIndex: [String: Int] = [:]
    private var valueSetIndex: [String: Int] = [:]
    private var result = StructureTables()

    init(structures: ProfileFile, valueSets: ProfileFile) throws(ProfilesError) {
        structuresFile = structures
        try readValueSets(valueSets)
        for (name, value) in structures.root {
            guard let object = value.objectValue else { throw structures.invalid("must be an object", at: name) }
            var elements: [(path: String, spec: JSONObject)] = []
            if let members = object["elements"]?.objectValue {
                for (path, spec) in members {
                    guard let spec = spec.objectValue else {
                        throw structures.invalid("must be an object", at: "\(name).\(path)")
                    }
                    elements.append((path, spec))
                }
            }
            elements.sort { $0.path < $1.path }
            raw[name] = RawStructure(
                name: name, kind: try structures.optionalString(object, "kind", at: name) ?? "complex",
                base: try structures.optionalString(object, "base", at: name),
                isAbstract: try structures.optionalBool(object, "abstract", at: name) ?? false,
                json: try structures.optionalString(object, "json", at: name) ?? "string",
                regex: try structures.optionalString(object, "regex", at: name), elements: elements)
        }
    }

    private mutating func readValueSets(_ file: ProfileFile) throws(ProfilesError) {
        for (url, value) in file.root {
            guard let object = value.objectValue else { throw file.invalid("must be an object", at: url) }
            guard try file.optionalBool(object, "enforced", at: url) == true else {
                result.unenforcedValueSets[url] = try file.optionalString(object, "reason", at: url) ?? "not expandable"
                continue
            }
            var codesBySystem: [String: Set<String>] = [:]
            var allCodes: Set<String> = []
            let systems = try file.object(object, "systems", at: url)
            for (system, _) in systems {
                let codes = Set(try file.strings(systems, system, at: "\(url) \(system)"))
                codesBySystem[system] = codes
                allCodes.formUnion(codes)
            }
            valueSetIndex[url] = result.valueSets.count
            result.valueSets.append(ValueSetRule(url: url, codesBySystem: codesBySystem, allCodes: allCodes))
        }
    }

    /// Builds every table.
    mutating func compile() throws(ProfilesError) -> StructureTables {
        let names = raw.keys.sorted()
        for name in names {
            guard let structure = raw[name] else { continue }
            if structure.kind == "primitive" {
                primitives[name] = PrimitiveType(name: name, json: structure.json, regex: structure.regex)
                continue
            }
            register(name)
            for (path, _) in structure.elements where hasChildren(structure, path) {
                register("\(name).\(path)")
            }
        }
        var ownTables: [Int: ElementTable] = [:]
        var baseOf: [Int: Int] = [:]
        for name in names {
            guard let structure = raw[name], structure.kind != "primitive", let index = tableIndex[name] else {
                continue
            }
            ownTables[index] = try table(named: name, prefix: "", in: structure)
            if let base = structure.base, let baseIndex = tableIndex[base] { baseOf[index] = baseIndex }
            if structure.kind == "resource" {
                result.resources[name] = ResourceStructure(table: index, isAbstract: structure.isAbstract)
            }
            for (path, spec) in structure.elements where hasChildren(structure, path) {
                guard let inner = tableIndex["\(name).\(path)"] else { continue }
                ownTables[inner] = try table(named: "\(name).\(path)", prefix: path + ".", in: structure)
                let baseType = try structuresFile.strings(spec, "type", at: "\(name).\(path)").first ?? "BackboneElement"
                if let baseIndex = tableIndex[baseType] { baseOf[inner] = baseIndex }
            }
        }
        result.elementTable = tableIndex["Element"]
        result.tables = (0..<tableIndex.count).map { index in
            merged(index, own: ownTables, baseOf: baseOf)
        }
        return result
    }

    private mutating func register(_ key: String) {
        tableIndex[key] = tableIndex.count
    }

    private func hasChildren(_ structure: RawStructure, _ path: String) -> Bool {
        let prefix = path + "."
        return structure.elements.contains { $0.path.hasPrefix(prefix) }
    }

    /// A table with its base chain's elements added (the table's own elements win).
    private func merged(_ index: Int, own: [Int: ElementTable], baseOf: [Int: Int]) -> ElementTable {
        var table = own[index] ?? ElementTable(name: "", rules: [:], required: [], isExtension: false)
        var next = baseOf[index]
        var seen: Set<Int> = [index]
        while let base = next, seen.insert(base).inserted, let baseTable = own[base] {
            for (name, rule) in baseTable.rules where table.rules[name] == nil { table.rules[name] = rule }
            for required in baseTable.required where !table.required.contains(where: {
                $0.displayName == required.displayName
            }) {
                table.required.append(required)
            }
            next = baseOf[base]
        }
        return table
    }

    /// The table of the direct children of `prefix` in `structure`.
    private func table(named name: String, prefix: String, in structure: RawStructure) throws(ProfilesError)
        -> ElementTable
    {
        var table = ElementTable(name: name, rules: [:], required: [], isExtension: name == "Extension")
        for (path, spec) in structure.elements where path.hasPrefix(prefix) {
            let elementName = path.dropFirst(prefix.count)
            guard !elementName.contains(".") else { continue }
            try addRules(for: String(elementName), path: path, spec: spec, in: structure, to: &table)
        }
        return table
    }
}

extension StructureCompiler {
    private func addRules(
        for elementName: String, path: String, spec: JSONObject, in structure: RawStructure, to table: inout ElementTable
    ) throws(ProfilesError) {
        let entry = "\(structure.name).\(path)"
        let max = try structuresFile.optionalString(spec, "max", at: entry) ?? "*"
        let min = Int(spec["min"]?.numberText ?? "0") ?? 0
        let binding = try structuresFile.optionalString(spec, "binding", at: entry).flatMap { valueSetIndex[$0] }
        let isChoice = elementName.hasSuffix("[x]")
        let baseName = isChoice ? String(elementName.dropLast(3)) : elementName
        var contents: [(jsonName: String, typeName: String, content: ElementContent)] = []
        if let reference = try structuresFile.optionalString(spec, "ref", at: entry) {
            guard let index = tableIndex[reference] else { throw structuresFile.invalid("unknown ref", at: entry) }
            contents.append((baseName, "BackboneElement", .complex(index)))
        } else {
            let types = try structuresFile.strings(spec, "type", at: entry)
            guard !types.isEmpty else { throw structuresFile.invalid("element without a type", at: entry) }
            for type in isChoice ? types : [types[0]] {
                let content = try content(of: type, inline: "\(structure.name).\(path)", at: entry)
                let jsonName = isChoice ? baseName + type.prefix(1).uppercased() + type.dropFirst() : baseName
                contents.append((jsonName, type, content))
            }
        }
        var requiredNames: [String] = []
        for (jsonName, typeName, content) in contents {
            table.rules[jsonName] = ElementRule(
                name: jsonName, choiceBase: isChoice ? baseName : nil, content: content, typeName: typeName,
                isArray: max != "1", maxCount: max == "*" ? nil : Int(max), binding: binding,
                isSummary: spec["summary"]?.boolValue ?? false)
            requiredNames.append(jsonName)
            if case .primitive = content { requiredNames.append("_" + jsonName) }
        }
        if min > 0 {
            table.required.append(RequiredElement(displayName: elementName, names: requiredNames, min: min))
        }
    }

    private func content(of type: String, inline key: String, at entry: String) throws(ProfilesError)
        -> ElementContent
    {
        if type == "BackboneElement" || type == "Element", let index = tableIndex[key] { return .complex(index) }
        if let primitive = primitives[type] { return .primitive(primitive) }
        if raw[type]?.kind == "resource" { return .resource }
        if let index = tableIndex[type] { return .complex(index) }
        throw structuresFile.invalid("unknown type \(type)", at: entry)
    }
}
