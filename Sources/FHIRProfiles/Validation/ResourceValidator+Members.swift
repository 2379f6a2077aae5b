import FHIRCore

extension ResourceValidator {
    /// Validates the value of member `rule.name` of `object`: array or single value as the cardinality says.
    mutating func validateMember(_ value: JSONValue, rule: ElementRule, in object: JSONObject) {
        path.push(rule.name)
        defer { path.pop() }
        guard rule.isArray else {
            if case .array = value {
                report("structure", "'\(rule.name)' has at most one value and must not be an array")
            } else if case .null = value {
                report("structure", "'\(rule.name)' cannot be null")
            } else {
                validateItem(value, rule: rule)
            }
            return
        }
        guard case .array(let items) = value else {
            report("structure", "'\(rule.name)' repeats and must be an array, not \(value.kindName)")
            return
        }
        if items.isEmpty {
            report("structure", "Empty arrays are not allowed ('\(rule.name)')")
            return
        }
        if let maxCount = rule.maxCount, items.count > maxCount {
            report("structure", "'\(rule.name)' allows at most \(maxCount) values, found \(items.count)")
        }
        for (index, item) in items.enumerated() {
            path.push(index: index)
            if case .null = item {
                let sibling = object["_" + rule.name]?.arrayValue
                let hasExtension = sibling.map { index < $0.count && $0[index] != .null } ?? false
                if !hasExtension || !isPrimitive(rule) {
                    report("structure", "null is only allowed where '_\(rule.name)' has an extension at the same index")
                }
            } else {
                validateItem(item, rule: rule)
            }
            path.pop()
        }
    }

    private func isPrimitive(_ rule: ElementRule) -> Bool {
        if case .primitive = rule.content { return true }
        return false
    }

    /// Validates one value (not an array) of an element.
    private mutating func validateItem(_ value: JSONValue, rule: ElementRule) {
        switch rule.content {
        case .primitive(let type):
            switch type.check(value) {
            case .valid:
                if let binding = rule.binding, let code = value.stringValue { checkCode(code, binding: binding) }
            case .wrongKind:
                report("structure", "\(type.name) must be a JSON \(type.jsonKind.rawValue), not \(value.kindName)")
            case .invalid(let reason):
                report("value", "Invalid \(type.name): \(reason)")
            }
        case .complex(let table):
            guard case .object(let object) = value else {
                report("structure", "\(rule.typeName) must be a JSON object, not \(value.kindName)")
                return
            }
            validateObject(object, table: table)
            if let binding = rule.binding { checkCodings(object, typeName: rule.typeName, binding: binding) }
        case .resource:
            guard case .object(let object) = value else {
                report("structure", "A resource must be a JSON object, not \(value.kindName)")
                return
            }
            let wasInsideContained = insideContained
            if rule.name == "contained" { insideContained = true }
            validateResource(object)
            insideContained = wasInsideContained
        }
    }

    /// Validates `_name`: the id and extensions of primitive element `name`, aligned with its values.
    mutating func validatePrimitiveExtension(
        _ key: String, _ value: JSONValue, in object: JSONObject, table: ElementTable
    ) {
        let name = String(key.dropFirst())
        guard let rule = table.rules[name], case .primitive = rule.content, let elementTable = structures.elementTable
        else {
            report("structure", "Unknown element '\(key)'", at: key)
            return
        }
        path.push(name)
        defer { path.pop() }
        let values = object[name]
        guard rule.isArray else {
            guard case .object(let extensionObject) = value else {
                report("structure", "'\(key)' must be an object holding the id and extensions of '\(name)'")
                return
            }
            validateObject(extensionObject, table: elementTable)
            return
        }
        guard case .array(let items) = value else {
            report("structure", "'\(key)' must be an array aligned with '\(name)'")
            return
        }
        if let values, values.arrayValue?.count != items.count {
            report("structure", "'\(key)' must have as many items as '\(name)' (\(values.arrayValue?.count ?? 1))")
            return
        }
        if items.allSatisfy({ $0 == .null }) {
            report("structure", "'\(key)' has only nulls; leave it out instead")
        }
        for (index, item) in items.enumerated() {
            path.push(index: index)
            switch item {
            case .null:
                if values == nil { report("structure", "'\(key)' item cannot be null when '\(name)' is absent") }
            case .object(let extensionObject):
                validateObject(extensionObject, table: elementTable)
            default:
                report("structure", "'\(key)' items must be objects or null, not \(item.kindName)")
            }
            path.pop()
        }
    }
}
