import FHIRCore

/// `$this`, `$index` and `$total` inside function arguments.
struct Scope {
    var this: FHIRPathValue?
    var index: Int?
    var total: [FHIRPathValue]
}

/// Evaluates an `Expression` over FHIRCore's JSON tree.
struct Evaluator {
    let resource: FHIRPathValue
    let environment: [String: [FHIRPathValue]]
    let typeProvider: (any FHIRTypeProvider)?

    func evaluate(_ expression: Expression, focus: [FHIRPathValue], scope: Scope) throws(FHIRPathError)
        -> [FHIRPathValue]
    {
        switch expression {
        case .literal(let value):
            return [value]
        case .empty, .type:
            return []
        case .this:
            return scope.this.map { [$0] } ?? []
        case .index:
            return scope.index.map { [.integer($0)] } ?? []
        case .total:
            return scope.total
        case .variable(let name, let position):
            return try variable(name, at: position)
        case .member(let base, let name, _):
            guard let base else { return termMember(name, focus: focus) }
            let input = try evaluate(base, focus: focus, scope: scope)
            var result: [FHIRPathValue] = []
            for item in input { appendChildren(of: item, named: name, to: &result) }
            return result
        case .function(let base, let function, let arguments, let position):
            let input = try base.map { (base) throws(FHIRPathError) in try evaluate(base, focus: focus, scope: scope) }
                ?? focus
            let call = Call(function: function, arguments: arguments, position: position, focus: focus, scope: scope)
            return try self.call(call, input: input)
        case .indexer(let base, let indexExpression, let position):
            let input = try evaluate(base, focus: focus, scope: scope)
            let indexValue = try evaluate(indexExpression, focus: focus, scope: scope)
            guard let first = indexValue.first else { return [] }
            guard indexValue.count == 1, case .integer(let index)? = first.systemValue else {
                throw FHIRPathError(.typeMismatch, "An indexer needs a single integer", at: position)
            }
            return input.indices.contains(index) ? [input[index]] : []
        case .negate(let operand, let position):
            return try negate(try evaluate(operand, focus: focus, scope: scope), at: position)
        case .binary(let op, let left, let right, let position):
            return try binary(op, left, right, focus: focus, scope: scope, at: position)
        case .isType(let operand, let type):
            let input = try evaluate(operand, focus: focus, scope: scope)
            guard let item = input.first else { return [] }
            return [.boolean(isType(item, type))]
        case .asType(let operand, let type):
            return try evaluate(operand, focus: focus, scope: scope).filter { isType($0, type) }
        }
    }

    private func variable(_ name: String, at position: Int) throws(FHIRPathError) -> [FHIRPathValue] {
        if let value = environment[name] { return value }
        switch name {
        case "context", "resource", "rootResource": return [resource]
        case "ucum": return [.string("http://unitsofmeasure.org")]
        case "sct": return [.string("http://snomed.info/sct")]
        case "loinc": return [.string("http://loinc.org")]
        default: throw FHIRPathError(.invalidValue, "Unknown environment variable '%\(name)'", at: position)
        }
    }

    /// An identifier at the start of a path: a type name keeps the focus items of that type
    /// (`Patient.name` on a Patient); otherwise it is a member of each focus item.
    func termMember(_ name: String, focus: [FHIRPathValue]) -> [FHIRPathValue] {
        var result: [FHIRPathValue] = []
        let mayBeType = name.first?.isUppercase ?? false
        for item in focus {
            if mayBeType, isType(item, TypeSpecifier(namespace: nil, name: name)) {
                result.append(item)
            } else {
                appendChildren(of: item, named: name, to: &result)
            }
        }
        return result
    }

    /// Appends the children called `name` of `item`, including a choice element `name[x]` and the
    /// `_name` sibling of primitives.
    func appendChildren(of item: FHIRPathValue, named name: String, to result: inout [FHIRPathValue]) {
        guard case .node(let node) = item else { return }
        switch node.value {
        case .object(let object):
            if let value = object[name] {
                let sibling = object["_" + name]
                append(value, sibling: sibling, type: childType(name, of: node), to: &result)
            } else if let sibling = object["_" + name] {
                append(.null, sibling: sibling, type: childType(name, of: node), to: &result)
            } else {
                for (key, value) in zip(object.keys, object.values)
                where key.utf8.count > name.utf8.count && key.hasPrefix(name) {
                    let suffix = key.dropFirst(name.count)
                    guard suffix.first?.isUppercase == true, let type = FHIRTypes.choiceType(suffix: suffix) else {
                        continue
                    }
                    append(value, sibling: object["_" + key], type: type, to: &result)
                }
            }
        case .array:
            return
        default:
            guard let element = node.primitiveElement, let value = element[name] else { return }
            append(value, sibling: nil, type: name == "extension" ? "Extension" : "string", to: &result)
        }
    }

    private func append(_ value: JSONValue, sibling: JSONValue?, type: String?, to result: inout [FHIRPathValue]) {
        if case .array(let elements) = value {
            let siblings = sibling?.arrayValue
            for (offset, element) in elements.enumerated() {
                let extra = siblings.flatMap { offset < $0.count ? $0[offset].objectValue : nil }
                if case .null = element, extra == nil { continue }
                result.append(.node(makeNode(element, type: type, extra: extra)))
            }
            if elements.isEmpty, let siblings {
                for case .object(let extra) in siblings { result.append(.node(makeNode(.null, type: type, extra: extra))) }
            }
            return
        }
        if case .null = value, let siblings = sibling?.arrayValue {
            for case .object(let extra) in siblings { result.append(.node(makeNode(.null, type: type, extra: extra))) }
            return
        }
        result.append(.node(makeNode(value, type: type, extra: sibling?.objectValue)))
    }

    private func makeNode(_ value: JSONValue, type: String?, extra: JSONObject?) -> FHIRPathNode {
        if case .object(let object) = value, let resourceType = object["resourceType"]?.stringValue {
            return FHIRPathNode(value: value, typeName: resourceType)
        }
        return FHIRPathNode(value: value, typeName: type, primitiveElement: extra)
    }

    /// The type of child `name` of `parent`, from the provider or the few types known without one.
    private func childType(_ name: String, of parent: FHIRPathNode) -> String? {
        if let parentType = parent.typeName, let type = typeProvider?.elementType(of: name, in: parentType) {
            return type
        }
        switch (parent.typeName, name) {
        case (_, "extension"), (_, "modifierExtension"): return "Extension"
        case ("Extension", "url"): return "uri"
        case ("Meta", "lastUpdated"): return "instant"
        case ("Meta", "tag"), ("Meta", "security"): return "Coding"
        case ("Meta", "profile"): return "canonical"
        case ("Meta", "versionId"): return "id"
        case (let type?, "meta") where parent.value["resourceType"]?.stringValue == type: return "Meta"
        case (let type?, "id") where parent.value["resourceType"]?.stringValue == type: return "id"
        default: return nil
        }
    }

    /// Whether `value` is of `type` or a type derived from it.
    func isType(_ value: FHIRPathValue, _ type: TypeSpecifier) -> Bool {
        guard case .node(let node) = value else {
            return (type.namespace == nil || type.namespace == "System") && value.typeName == type.name
        }
        if type.namespace != "FHIR", let primitive = node.typeName, FHIRTypes.systemTypes[primitive] == type.name {
            return true
        }
        guard type.namespace == nil || type.namespace == "FHIR" else { return false }
        var current = node.typeName
        var steps = 0
        while let name = current, steps < 16 {
            if name == type.name { return true }
            current = baseType(of: name, node: node)
            steps += 1
        }
        return false
    }

    private func baseType(of type: String, node: FHIRPathNode) -> String? {
        if let base = typeProvider?.baseType(of: type) ?? FHIRTypes.baseType(of: type) { return base }
        if type != "Resource", type != "DomainResource", node.value["resourceType"]?.stringValue == type {
            return FHIRTypes.plainResources.contains(type) ? "Resource" : "DomainResource"
        }
        return nil
    }
}
