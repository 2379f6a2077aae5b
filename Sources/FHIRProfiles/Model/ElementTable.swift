/// What an element's value is: a primitive, a complex structure (by table index), or a whole resource.
enum ElementContent: Sendable, Hashable {
    case primitive(PrimitiveType)
    /// The index of the table of the element's children in `StructureTables.tables`.
    case complex(Int)
    /// Any resource, validated by its own `resourceType` (`contained`, `Bundle.entry.resource`).
    case resource
}

/// One JSON member a structure allows (a choice element yields one rule per type).
struct ElementRule: Sendable, Hashable {
    /// The JSON member name (`valueQuantity` for a choice element `value[x]` of type Quantity).
    let name: String
    /// For choice elements, the name without `[x]` (`value`); nil otherwise.
    let choiceBase: String?
    let content: ElementContent
    /// The FHIR type name, for messages (`HumanName`, `BackboneElement`, `date`).
    let typeName: String
    /// Whether FHIR JSON writes this element as an array (max other than 1).
    let isArray: Bool
    /// The largest number of values allowed; nil when unbounded.
    let maxCount: Int?
    /// The index of the required binding's value set in `StructureTables.valueSets`, when enforced.
    let binding: Int?
    /// Whether the base definition marks the element `isSummary` (kept by `_summary=true`).
    let isSummary: Bool
}

/// The elements a group of JSON members must satisfy together.
struct RequiredElement: Sendable, Hashable {
    /// The element name as it reads in the definition (`status`, `value[x]`).
    let displayName: String
    /// JSON member names any of which satisfies it (several for a choice; `_name` counts for primitives).
    let names: [String]
    let min: Int
}

/// The elements of one complex type, resource type or backbone element, ready for lookups.
struct ElementTable: Sendable {
    /// The type or backbone path the table describes (`Patient`, `Patient.contact`).
    let name: String
    /// Allowed JSON members by name.
    var rules: [String: ElementRule]
    /// Elements with a minimum cardinality above zero.
    var required: [RequiredElement]
    /// Whether this is the `Extension` type (url plus exactly one of value[x] or extension).
    var isExtension: Bool
}

/// A required binding's expanded value set: allowed codes per system.
struct ValueSetRule: Sendable {
    let url: String
    let codesBySystem: [String: Set<String>]
    /// All codes of all systems, for `code` elements (which carry no system).
    let allCodes: Set<String>
}

/// A resource type's structure: its table and whether it can be instantiated.
struct ResourceStructure: Sendable {
    let table: Int
    let isAbstract: Bool
}
