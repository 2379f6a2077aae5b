import FHIRCore

/// One item of a FHIRPath collection: a node of the resource's JSON tree, or a value of FHIRPath's own
/// (System) types made by literals, operators and functions.
public enum FHIRPathValue: Sendable, Hashable {
    /// An element of the resource, with its FHIR type when known.
    case node(FHIRPathNode)
    /// `System.Boolean`.
    case boolean(Bool)
    /// `System.String`.
    case string(String)
    /// `System.Integer`.
    case integer(Int)
    /// `System.Decimal`, as its exact text (`1.50` keeps both digits).
    case decimal(String)
    /// `System.Date`.
    case date(FHIRPathTemporal)
    /// `System.DateTime`.
    case dateTime(FHIRPathTemporal)
    /// `System.Time`.
    case time(FHIRPathTemporal)
    /// `System.Quantity`: a decimal value with a UCUM unit or a calendar duration (`year`, `day`, ...).
    case quantity(FHIRPathQuantity)

    /// The value as a FHIRPath system value: a primitive node becomes the Boolean, String, Integer,
    /// Decimal, Date, DateTime or Time it holds; a Quantity node becomes a Quantity. Other values are
    /// returned unchanged; nil for a primitive node without a value (only extensions).
    public var systemValue: FHIRPathValue? {
        guard case .node(let node) = self else { return self }
        return node.systemValue
    }

    /// The JSON form of the value: the node's JSON, or the JSON a system value would have in a resource.
    public var json: JSONValue {
        switch self {
        case .node(let node): node.value
        case .boolean(let flag): .bool(flag)
        case .string(let text): .string(text)
        case .integer(let number): .number(String(number))
        case .decimal(let text): .number(text)
        case .date(let value), .dateTime(let value), .time(let value): .string(value.text)
        case .quantity(let quantity): .object(quantity.json)
        }
    }

    /// The type name used by `is`/`as`: the FHIR type of a node, or the System type name.
    public var typeName: String? {
        switch self {
        case .node(let node): node.typeName
        case .boolean: "Boolean"
        case .string: "String"
        case .integer: "Integer"
        case .decimal: "Decimal"
        case .date: "Date"
        case .dateTime: "DateTime"
        case .time: "Time"
        case .quantity: "Quantity"
        }
    }
}

/// An element of a FHIR resource: its JSON value, its FHIR type when known, and for a primitive the
/// `_name` sibling object (with its `id` and `extension`).
public struct FHIRPathNode: Sendable, Hashable {
    /// The element's JSON; `.null` for a primitive that has only extensions.
    public let value: JSONValue
    /// The FHIR type (`Quantity`, `dateTime`, `Patient`), or a backbone element path from a type
    /// provider (`Observation.component`); nil when unknown.
    public let typeName: String?
    /// The `_name` sibling of a primitive (its `id` and `extension`), when present.
    public let primitiveElement: JSONObject?

    /// A node with this JSON, type and primitive sibling.
    public init(value: JSONValue, typeName: String?, primitiveElement: JSONObject? = nil) {
        self.value = value
        self.typeName = typeName
        self.primitiveElement = primitiveElement
    }

    /// Whether the node is a JSON primitive (or a primitive with only extensions).
    public var isPrimitive: Bool {
        switch value {
        case .object, .array: false
        default: true
        }
    }

    /// See `FHIRPathValue.systemValue`.
    public var systemValue: FHIRPathValue? {
        switch value {
        case .null: return nil
        case .bool(let flag): return .boolean(flag)
        case .number(let text):
            if FHIRTypes.integerTypes.contains(typeName ?? ""), let number = Int(text) { return .integer(number) }
            if typeName == nil, let number = Int(text) { return .integer(number) }
            return .decimal(text)
        case .string(let text):
            switch typeName {
            case "date": return FHIRPathTemporal(date: text).map { .date($0) } ?? .string(text)
            case "dateTime", "instant":
                return FHIRPathTemporal(dateTime: text).map { $0.isDateOnly ? .date($0) : .dateTime($0) }
                    ?? .string(text)
            case "time": return FHIRPathTemporal(time: text).map { .time($0) } ?? .string(text)
            default: return .string(text)
            }
        case .object(let object):
            guard let typeName, FHIRTypes.quantityTypes.contains(typeName) else { return self.asValue }
            return FHIRPathQuantity(object).map { .quantity($0) } ?? self.asValue
        case .array: return self.asValue
        }
    }

    private var asValue: FHIRPathValue { .node(self) }
}
