/// A search parameter a resource type supports, as defined by FHIR R4 (from `profiles/searchparameters.json`).
public struct SearchParameterDefinition: Sendable, Hashable {
    /// The kind of value a search parameter matches.
    public enum ParameterType: String, Sendable, Hashable {
        /// A number compared with the given precision.
        case number
        /// A date, dateTime, instant or Period, matched as ranges.
        case date
        /// Text, matched case- and accent-insensitively from the start.
        case string
        /// A code, Coding, Identifier or similar, matched as `system|code`.
        case token
        /// A reference to another resource; can be chained.
        case reference
        /// Several values matched together (`code$value`).
        case composite
        /// A number with a unit.
        case quantity
        /// A URI, matched exactly (or by `:below`/`:above`).
        case uri
        /// Behaviour particular to the parameter (`near`, `_query`...).
        case special
    }

    /// One part of a composite parameter.
    public struct Component: Sendable, Hashable {
        /// The code of the search parameter that defines the part (`code`, `value-quantity`).
        public var code: String
        /// FHIRPath of the part, relative to the composite's expression.
        public var expression: String
    }

    /// The name used in the query string (`birthdate`, `_lastUpdated`).
    public var code: String
    /// The kind of value matched.
    public var type: ParameterType
    /// FHIRPath selecting the values to index, rooted at the resource type (`Patient.birthDate`); nil for
    /// parameters that are not value-based (`_content`, `_query`, `_text`).
    public var expression: String?
    /// For references: the resource types the reference may point to (sorted).
    public var targets: [String]
    /// Modifiers allowed besides the defaults (`missing`, `exact`, `contains`, `text`...), as FHIR lists them.
    public var modifiers: [String]
    /// Prefixes allowed on values (`eq`, `lt`, `ge`...).
    public var comparators: [String]
    /// Chained parameter names the definition lists (R4 core rarely lists any: any target parameter may chain).
    public var chains: [String]
    /// Whether several values separated by commas are allowed; nil when the definition does not say.
    public var multipleOr: Bool?
    /// Whether the parameter may repeat; nil when the definition does not say.
    public var multipleAnd: Bool?
    /// For composite parameters, their parts in order.
    public var components: [Component]

    /// Whether the parameter can be chained (`subject.name=...`): a reference parameter.
    public var isChainable: Bool { type == .reference }
}
