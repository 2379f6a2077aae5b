import FHIRCore

/// One function invocation being evaluated.
struct Call {
    let function: FHIRPathFunction
    let arguments: [Expression]
    let position: Int
    /// The focus and scope the invocation was written in (for arguments that are not per-item).
    let focus: [FHIRPathValue]
    let scope: Scope
}

extension Evaluator {
    func call(_ call: Call, input: [FHIRPathValue]) throws(FHIRPathError) -> [FHIRPathValue] {
        let position = call.position
        switch call.function {
        case .empty: return [.boolean(input.isEmpty)]
        case .exists:
            if call.arguments.isEmpty { return [.boolean(!input.isEmpty)] }
            return [.boolean(!(try filter(input, call)).isEmpty)]
        case .all:
            for (offset, item) in input.enumerated() where try criterion(call, item, offset) != true {
                return [.boolean(false)]
            }
            return [.boolean(true)]
        case .allTrue, .anyTrue, .allFalse, .anyFalse:
            let flags = input.map { (item: FHIRPathValue) -> Bool? in
                if case .boolean(let flag)? = item.systemValue { return flag }
                return nil
            }
            switch call.function {
            case .allTrue: return [.boolean(flags.allSatisfy { $0 == true })]
            case .anyTrue: return [.boolean(flags.contains(true))]
            case .allFalse: return [.boolean(flags.allSatisfy { $0 == false })]
            default: return [.boolean(flags.contains(false))]
            }
        case .subsetOf, .supersetOf:
            let other = try argument(call, 0)
            let (small, large) = call.function == .subsetOf ? (input, other) : (other, input)
            return [.boolean(small.allSatisfy { item in large.contains { Evaluator.equal(item, $0) == true } })]
        case .count: return [.integer(input.count)]
        case .distinct: return Evaluator.distinct(input)
        case .isDistinct: return [.boolean(Evaluator.distinct(input).count == input.count)]
        case .where: return try filter(input, call)
        case .select:
            var result: [FHIRPathValue] = []
            for (offset, item) in input.enumerated() {
                result += try evaluate(call.arguments[0], focus: [item], scope: Scope(this: item, index: offset, total: []))
            }
            return result
        case .repeat:
            var result: [FHIRPathValue] = []
            var pending = input
            while !pending.isEmpty, result.count < 100_000 {
                var next: [FHIRPathValue] = []
                for item in pending {
                    for child in try evaluate(call.arguments[0], focus: [item], scope: Scope(this: item, index: nil, total: []))
                    where !result.contains(child) {
                        result.append(child)
                        next.append(child)
                    }
                }
                pending = next
            }
            return result
        case .aggregate:
            var total = call.arguments.count > 1 ? try argument(call, 1) : []
            for (offset, item) in input.enumerated() {
                total = try evaluate(call.arguments[0], focus: [item], scope: Scope(this: item, index: offset, total: total))
            }
            return total
        case .ofType, .as:
            guard case .type(let type) = call.arguments[0] else { return [] }
            return input.filter { isType($0, type) }
        case .is:
            guard case .type(let type) = call.arguments[0], let item = input.first else { return [] }
            guard input.count == 1 else { throw FHIRPathError(.notSingleton, "is() needs a single item", at: position) }
            return [.boolean(isType(item, type))]
        case .type:
            return input.map { .string($0.typeName ?? "") }
        case .single:
            guard input.count <= 1 else { throw FHIRPathError(.notSingleton, "single() got \(input.count) items", at: position) }
            return input
        case .first: return input.first.map { [$0] } ?? []
        case .last: return input.last.map { [$0] } ?? []
        case .tail: return Array(input.dropFirst())
        case .skip: return Array(input.dropFirst(Swift.max(0, try integerArgument(call, 0) ?? 0)))
        case .take: return Array(input.prefix(Swift.max(0, try integerArgument(call, 0) ?? 0)))
        case .intersect:
            let other = try argument(call, 0)
            return Evaluator.distinct(input.filter { item in other.contains { Evaluator.equal(item, $0) == true } })
        case .exclude:
            let other = try argument(call, 0)
            return input.filter { item in !other.contains { Evaluator.equal(item, $0) == true } }
        case .union: return Evaluator.distinct(input + (try argument(call, 0)))
        case .combine: return input + (try argument(call, 0))
        case .iif:
            guard input.count <= 1 else { throw FHIRPathError(.notSingleton, "iif() needs at most one item", at: position) }
            let scope = Scope(this: input.first ?? call.scope.this, index: call.scope.index, total: call.scope.total)
            let condition = try boolean(try evaluate(call.arguments[0], focus: input.isEmpty ? call.focus : input, scope: scope),
                                        at: position)
            if condition == true { return try evaluate(call.arguments[1], focus: call.focus, scope: call.scope) }
            return call.arguments.count > 2 ? try evaluate(call.arguments[2], focus: call.focus, scope: call.scope) : []
        case .not:
            guard let flag = try boolean(input, at: position) else { return [] }
            return [.boolean(!flag)]
        case .children:
            return input.flatMap(allChildren)
        case .descendants:
            var result: [FHIRPathValue] = []
            var pending = input
            while !pending.isEmpty {
                let next = pending.flatMap(allChildren)
                result += next
                pending = next
            }
            return result
        case .trace: return input
        case .extension:
            guard let url = try stringArgument(call, 0) else { return [] }
            var result: [FHIRPathValue] = []
            for item in input {
                var extensions: [FHIRPathValue] = []
                appendChildren(of: item, named: "extension", to: &extensions)
                result += extensions.filter { extensionItem in
                    guard case .node(let node) = extensionItem else { return false }
                    return node.value["url"]?.stringValue == url
                }
            }
            return result
        case .hasValue:
            guard input.count == 1, case .node(let node) = input[0], node.isPrimitive else { return [.boolean(false)] }
            return [.boolean(node.value != .null)]
        case .getValue:
            guard input.count == 1, case .node(let node) = input[0], node.isPrimitive, let value = node.systemValue
            else { return [] }
            return [value]
        case .resolve: return input.compactMap(resolve)
        case .memberOf, .conformsTo, .htmlChecks, .elementDefinition, .slice, .checkModifiers, .subsumes, .subsumedBy:
            throw FHIRPathError(.unsupported, "\(call.function.rawValue)() is not supported", at: position)
        default:
            return try stringFunction(call, input: input)
        }
    }

    /// Items for which the argument is true, evaluated per item with `$this` and `$index`.
    private func filter(_ input: [FHIRPathValue], _ call: Call) throws(FHIRPathError) -> [FHIRPathValue] {
        var result: [FHIRPathValue] = []
        for (offset, item) in input.enumerated() where try criterion(call, item, offset) == true {
            result.append(item)
        }
        return result
    }

    private func criterion(_ call: Call, _ item: FHIRPathValue, _ offset: Int) throws(FHIRPathError) -> Bool? {
        let value = try evaluate(call.arguments[0], focus: [item], scope: Scope(this: item, index: offset, total: []))
        return try boolean(value, at: call.position)
    }

    /// Argument `index` evaluated once, in the invocation's own focus.
    func argument(_ call: Call, _ index: Int) throws(FHIRPathError) -> [FHIRPathValue] {
        try evaluate(call.arguments[index], focus: call.focus, scope: call.scope)
    }

    func stringArgument(_ call: Call, _ index: Int) throws(FHIRPathError) -> String? {
        guard let value = try singleton(try argument(call, index), at: call.position) else { return nil }
        guard let text = Evaluator.text(value) else {
            throw FHIRPathError(.wrongArguments, "\(call.function.rawValue)() needs a string argument", at: call.position)
        }
        return text
    }

    func integerArgument(_ call: Call, _ index: Int) throws(FHIRPathError) -> Int? {
        guard let value = try singleton(try argument(call, index), at: call.position) else { return nil }
        guard case .integer(let number) = value else {
            throw FHIRPathError(.wrongArguments, "\(call.function.rawValue)() needs an integer argument", at: call.position)
        }
        return number
    }

    private func allChildren(_ item: FHIRPathValue) -> [FHIRPathValue] {
        guard case .node(let node) = item, case .object(let object) = node.value else { return [] }
        var result: [FHIRPathValue] = []
        for key in object.keys where !key.hasPrefix("_") && key != "resourceType" {
            appendChildren(of: item, named: key, to: &result)
        }
        return result
    }

    /// A reference resolved without a database: a contained resource for `#id`, otherwise a stub
    /// `{resourceType, id}` typed from the literal reference (`Patient/123`, `http://x/fhir/Patient/123/_history/2`).
    private func resolve(_ item: FHIRPathValue) -> FHIRPathValue? {
        let reference: String?
        switch item {
        case .string(let text): reference = text
        case .node(let node): reference = node.value.stringValue ?? node.value["reference"]?.stringValue
        default: reference = nil
        }
        guard let reference else { return nil }
        if reference.hasPrefix("#"), case .node(let root) = resource {
            let id = String(reference.dropFirst())
            for case .object(let contained) in root.value["contained"]?.arrayValue ?? []
            where contained["id"]?.stringValue == id {
                return .node(FHIRPathNode(value: .object(contained), typeName: contained["resourceType"]?.stringValue))
            }
            return nil
        }
        guard let literal = LiteralReference(reference) else { return nil }
        let stub = JSONObject([("resourceType", .string(literal.type)), ("id", .string(literal.id))])
        return .node(FHIRPathNode(value: .object(stub), typeName: literal.type))
    }
}
