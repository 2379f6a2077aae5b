import FHIRCore
import Foundation
import HL7v2

/// One resource a message produces, while the bundle is being built.
struct ResourceInstance: Sendable {
    var rule: ResourceRule
    /// The segment it was made from (`foreach`), or nil for one per message.
    var position: Int?
    var fullUrl: String
    var resource = JSONObject()
}

/// Applies one message mapping to one message: finds the resources it produces, fills their elements,
/// then writes the transaction Bundle.
struct MessageConversion {
    let mapping: MessageMapping
    let view: MessageView
    let converter: ValueConverter
    let context: MappingContext
    var instances: [String: [ResourceInstance]] = [:]

    init(mapping: MessageMapping, message: HL7Message, terminology: Terminology, context: MappingContext) {
        self.mapping = mapping
        view = MessageView(message)
        let facility = message.value("MSH-4.1") ?? message.value("MSH-3.1") ?? "local"
        converter = ValueConverter(terminology: terminology, fallbackSystem: terminology.identifierSystems[facility]
            ?? "urn:carebridge:id:" + Terminology.uriSafe(facility))
        self.context = context
    }

    mutating func run() throws(MappingError) -> [ResourceInstance] {
        for rule in mapping.resources {
            var found: [ResourceInstance] = []
            let positions: [Int?] = rule.foreach.map { view.positions[$0] ?? [] } ?? [nil]
            for position in positions {
                let scope = Scope(anchor: position)
                if let when = rule.when, !(try holds(when, in: scope)) { continue }
                let url = "urn:uuid:" + DeterministicUUID.make(context.messageID, rule.name, String(position ?? -1))
                found.append(ResourceInstance(rule: rule, position: position, fullUrl: url))
            }
            instances[rule.name] = found
        }
        var ordered: [ResourceInstance] = []
        for rule in mapping.resources {
            for (index, instance) in (instances[rule.name] ?? []).enumerated() {
                var scope = Scope(anchor: instance.position)
                scope.pinned[rule.name] = index
                var resource = JSONObject([("resourceType", .string(rule.type))])
                for field in rule.fields {
                    field.path.write(try evaluate(field, in: scope), into: &resource)
                }
                var filled = instance
                filled.resource = resource
                ordered.append(filled)
            }
        }
        return ordered
    }

    /// The values a field rule gives in `scope` (several for `for:` and for repeating fields).
    func evaluate(_ field: FieldRule, in scope: Scope) throws(MappingError) -> [JSONValue] {
        guard let each = field.forEach else {
            if let when = field.when, !(try holds(when, in: scope)) { return [] }
            return try evaluateOnce(field, in: scope)
        }
        var single = field
        single.forEach = nil
        var values: [JSONValue] = []
        if instances[each] != nil {
            for (index, instance) in selectInstances(each, in: scope) {
                var inner = scope
                inner.anchor = instance.position ?? scope.anchor
                inner.pinned[each] = index
                values += try evaluate(single, in: inner)
            }
        } else {
            for position in view.positions(of: each, in: scope) {
                var inner = scope
                inner.anchor = position
                values += try evaluate(single, in: inner)
            }
        }
        return values
    }

    private func evaluateOnce(_ field: FieldRule, in scope: Scope) throws(MappingError) -> [JSONValue] {
        var values: [JSONValue] = []
        if let constant = field.constant {
            values = [constant]
        } else if let name = field.reference {
            values = selectInstances(name, in: scope).map { .object(JSONObject([("reference", .string($0.1.fullUrl))])) }
        } else if let template = field.template {
            values = render(template, in: scope).map { [.string($0)] } ?? []
        } else if let subfields = field.object {
            var object = JSONObject()
            for subfield in subfields { subfield.path.write(try evaluate(subfield, in: scope), into: &object) }
            values = object.isEmpty ? [] : [.object(object)]
        } else if let sum = field.sum {
            values = try total(sum, field, in: scope)
        } else {
            values = try read(field, in: scope)
        }
        if values.isEmpty, let fallback = field.defaultValue { values = [fallback] }
        if values.isEmpty, field.required {
            let sources = field.from.isEmpty ? [field.sum].compactMap { $0 } : field.from
            let names = sources.map(\.description).joined(separator: " or ")
            throw error("\(field.path) needs a value" + (names.isEmpty ? "" : " from \(names)"), at: sources.first, in: scope)
        }
        return values
    }

    /// The instances of resource rule `name` that a rule in `scope` refers to: the one pinned by `for`; for a
    /// rule made per segment, those made from segments of the scope's group (the OBX of this OBR), else the
    /// nearest one before (the OBR of this OBX); otherwise all of them.
    func selectInstances(_ name: String, in scope: Scope) -> [(Int, ResourceInstance)] {
        let all = Array((instances[name] ?? []).enumerated())
        if let pinned = scope.pinned[name] { return all.filter { $0.offset == pinned }.map { ($0.offset, $0.element) } }
        guard let anchor = scope.anchor, let range = view.groupRange(of: scope) else {
            return all.map { ($0.offset, $0.element) }
        }
        let inGroup = all.filter { $0.element.position.map(range.contains) ?? false }
        if !inGroup.isEmpty { return inGroup.map { ($0.offset, $0.element) } }
        let before = all.filter { ($0.element.position ?? Int.max) <= anchor }
        if let nearest = before.last { return [(nearest.offset, nearest.element)] }
        return all.filter { $0.element.position == nil }.map { ($0.offset, $0.element) }
    }
}
