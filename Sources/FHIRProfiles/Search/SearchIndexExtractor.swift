import FHIRCore
import FHIRPath

/// Derives the search index rows of a resource from the registry's search parameters: each parameter's
/// FHIRPath expression is evaluated and its results turned into rows by parameter type and FHIR datatype
/// (https://hl7.org/fhir/R4/search.html).
///
/// Expressions are parsed once, at construction; special parameters, parameters without an expression, and
/// `_id`/`_lastUpdated` (which come from the resource row) are not indexed.
///
/// A composite parameter of a token and a value (`code-value-quantity`, see `CompositeParts`)
/// is indexed as its value, in the value's table, under the name `composite$system|code` and `composite$*|code`
/// (any system) for each code of its token part found in the same element: so one row ties both parts together.
public struct SearchIndexExtractor: Sendable {
    /// A search parameter ready to evaluate.
    struct Parameter: Sendable {
        let code: String
        let type: SearchParameterDefinition.ParameterType
        let expression: FHIRPathExpression
        /// For token parameters on a `code` element, the system of each of its codes (see `implicitSystems`).
        let implicitSystems: [String: String]
        /// For a composite parameter, its two parts: a token and the value matched with it.
        let components: [Parameter]
        /// The top-level elements its values can come from (`FHIRPathExpression.topLevelElements`); nil when
        /// the expression does not tell, and for the parts of a composite.
        var reach: Set<String>? = nil
    }

    /// The modifier under whose name (`identifier:of-type`) token rows `typeSystem|typeCode|value` of
    /// Identifiers are indexed, for `:of-type`.
    public static let ofTypeModifier = "of-type"
    /// The modifier under whose name (`subject:identifier`) the `Reference.identifier` of references are indexed
    /// as token rows, for `:identifier`.
    public static let identifierModifier = "identifier"

    /// Parameter codes whose values the resource row already holds.
    static let fromResourceRow: Set<String> = ["_id", "_lastUpdated"]

    let parametersByType: [String: [Parameter]]
    let knownResourceTypes: Set<String>

    /// An extractor for every served type of `registry`; throws when an expression does not parse.
    public init(registry: ProfileRegistry) throws(ProfilesError) {
        try self.init(registry: registry, only: nil)
    }

    /// An extractor for the parameters `only` names for each type (all served types and parameters when nil).
    public init(registry: ProfileRegistry, only: [String: [String]]?) throws(ProfilesError) {
        var parametersByType: [String: [Parameter]] = [:]
        for type in only.map({ Array($0.keys) }) ?? registry.servedTypes {
            var parameters: [Parameter] = []
            for definition in registry.searchParameters(for: type) {
                guard definition.expression != nil, definition.type != .special,
                      !Self.fromResourceRow.contains(definition.code),
                      only?[type]?.contains(definition.code) ?? true
                else { continue }
                guard var parameter = try Self.parameter(definition, of: type, in: registry) else { continue }
                parameter.reach = parameter.expression.topLevelElements(ofResourceType: type)
                parameters.append(parameter)
            }
            parametersByType[type] = parameters
        }
        self.parametersByType = parametersByType
        knownResourceTypes = Set(registry.knownResourceTypes)
    }

    /// `definition` ready to evaluate; nil for a composite whose parts are not a token and a value.
    private static func parameter(
        _ definition: SearchParameterDefinition, of type: String, in registry: ProfileRegistry
    ) throws(ProfilesError) -> Parameter? {
        let text = definition.expression ?? ""
        var components: [Parameter] = []
        if definition.type == .composite {
            // Each part is the parameter it names (which gives its type and implicit code systems), evaluated
            // with the part's expression relative to the composite's element.
            guard let parts = registry.compositeParts(of: definition, for: type) else { return nil }
            for (part, expression) in [(parts.token, parts.tokenExpression), (parts.value, parts.valueExpression)] {
                guard let named = try parameter(part, of: type, in: registry) else { return nil }
                do {
                    components.append(Parameter(
                        code: named.code, type: named.type, expression: try FHIRPathExpression(expression),
                        implicitSystems: named.implicitSystems, components: []))
                } catch {
                    throw ProfilesError(
                        .invalidTable, "expression '\(expression)' does not parse: \(error)",
                        location: "searchparameters.json: \(type).\(definition.code)")
                }
            }
        }
        do {
            return Parameter(
                code: definition.code, type: definition.type, expression: try FHIRPathExpression(text),
                implicitSystems: definition.type == .token ? Self.implicitSystems(of: text, in: registry.structures) : [:],
                components: components)
        } catch {
            throw ProfilesError(
                .invalidTable, "expression '\(text)' does not parse: \(error)",
                location: "searchparameters.json: \(type).\(definition.code)")
        }
    }

    /// The codes of the parameters indexed for `type`.
    public func indexedParameters(for type: String) -> [String] {
        parametersByType[type]?.map(\.code) ?? []
    }

    /// The index rows of `resource`. A parameter whose expression fails on it is left out and listed in `failures`.
    /// A parameter whose values can only come from top-level elements the resource does not have is not evaluated.
    public func entries(for resource: FHIRResource) -> SearchIndexEntries {
        var entries = SearchIndexEntries()
        guard let parameters = parametersByType[resource.resourceType] else { return entries }
        let root = JSONValue.object(resource.json)
        let present = Self.elementNames(of: resource.json)
        for parameter in parameters {
            if let reach = parameter.reach, reach.isDisjoint(with: present) { continue }
            let values: [FHIRPathValue]
            do {
                values = try parameter.expression.evaluate(on: root)
            } catch {
                entries.failures[parameter.code] = error.description
                continue
            }
            for value in values {
                if parameter.type == .composite {
                    addComposite(value, of: parameter, to: &entries)
                } else {
                    add(value, of: parameter, to: &entries)
                }
            }
        }
        return entries
    }

    /// The names of the elements an object holds, as FHIRPath names them: `_name` (a primitive's extensions) as
    /// `name`, and a choice element such as `multipleBirthBoolean` as itself and as each part before a capital
    /// letter (`multiple`, `multipleBirth`), one of which is its name without the type.
    static func elementNames(of object: JSONObject) -> Set<String> {
        var names: Set<String> = []
        names.reserveCapacity(object.keys.count * 2)
        for key in object.keys {
            let extensionsOnly = key.hasPrefix("_")
            let name = extensionsOnly ? key.dropFirst() : Substring(key)
            names.insert(extensionsOnly ? String(name) : key)
            for capital in name.utf8.indices where capital != name.startIndex && (0x41...0x5A).contains(name.utf8[capital]) {
                names.insert(String(name[..<capital]))
            }
        }
        return names
    }

    /// The rows of one element a composite selected: its value part under `code$system|code` and
    /// `code$*|code` for each code of its token part.
    private func addComposite(_ element: FHIRPathValue, of parameter: Parameter, to entries: inout SearchIndexEntries) {
        guard parameter.components.count == 2 else { return }
        let (tokenPart, valuePart) = (parameter.components[0], parameter.components[1])
        let node = element.json
        var tokens = SearchIndexEntries()
        var values = SearchIndexEntries()
        do {
            for value in try tokenPart.expression.evaluate(on: node) { add(value, of: tokenPart, to: &tokens) }
            for value in try valuePart.expression.evaluate(on: node) { add(value, of: valuePart, to: &values) }
        } catch {
            entries.failures[parameter.code] = error.description
            return
        }
        var names: Set<String> = []
        for token in tokens.tokens where !token.code.isEmpty {
            for key in ["\(token.system)|\(token.code)", "*|\(token.code)"] where names.insert(key).inserted {
                entries.append(values, renamedTo: parameter.code + "$" + key)
            }
        }
    }

    private func add(_ value: FHIRPathValue, of parameter: Parameter, to entries: inout SearchIndexEntries) {
        let json: JSONValue
        let typeName: String?
        switch value {
        case .node(let node):
            json = node.value
            typeName = node.typeName
        default:
            json = value.json
            typeName = value.typeName
        }
        let code = parameter.code
        switch parameter.type {
        case .string: Self.addStrings(json, code, to: &entries)
        case .token:
            Self.addTokens(json, typeName: typeName, implicitSystems: parameter.implicitSystems, code, to: &entries)
        case .date: Self.addDates(json, code, to: &entries)
        case .reference: addReference(json, code, to: &entries)
        case .quantity: Self.addQuantity(json, typeName: typeName, code, to: &entries)
        case .number:
            if let number = json.numberText, let row = Self.number(number, code) { entries.numbers.append(row) }
        case .uri:
            if let text = json.stringValue { entries.uris.append(.init(parameter: code, value: text)) }
        case .composite, .special: break
        }
    }
}
