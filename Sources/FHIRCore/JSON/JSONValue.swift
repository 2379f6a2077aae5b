/// A JSON value that keeps everything a FHIR resource says: member order, and numbers as their exact text.
///
/// FHIR decimals carry precision in their text (`1.50` is not `1.5`), so numbers are never converted to
/// `Double` on the way through; `number` holds the characters as written.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number, as the exact text of the JSON source (e.g. `1.50`, `-0`, `1e3`).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The object, when this is an object.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The number's text, when this is a number.
    public var numberText: String? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The boolean, when this is a boolean.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// A short name of the JSON kind, for error messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The member `key` when this is an object, otherwise nil.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }
}

/// A JSON object whose members keep the order in which they were written.
///
/// FHIR objects are small (rarely more than a few dozen members), so lookups scan the keys; that is faster
/// than hashing at these sizes and keeps the order without a second structure.
public struct JSONObject: Sendable, Hashable, Sequence {
    public private(set) var keys: [String]
    public private(set) var values: [JSONValue]

    /// An empty object.
    public init() {
        keys = []
        values = []
    }

    /// An object with these members, in this order; a later duplicate key replaces the earlier value.
    public init(_ members: [(String, JSONValue)]) {
        self.init()
        keys.reserveCapacity(members.count)
        values.reserveCapacity(members.count)
        for (key, value) in members { self[key] = value }
    }

    /// The number of members.
    public var count: Int { keys.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { keys.isEmpty }

    /// The value of member `key`; setting nil removes the member, setting a new key appends it.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let index = keys.firstIndex(of: key) else { return nil }
            return values[index]
        }
        set {
            if let index = keys.firstIndex(of: key) {
                if let newValue {
                    values[index] = newValue
                } else {
                    keys.remove(at: index)
                    values.remove(at: index)
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    /// Appends a member without checking for an existing key; the parser uses it after its own check.
    mutating func appendUnchecked(_ key: String, _ value: JSONValue) {
        keys.append(key)
        values.append(value)
    }

    /// Inserts or replaces member `key` so that it stands at `position` (used to keep `resourceType`,
    /// `id` and `meta` first, as FHIR writers conventionally do).
    public mutating func set(_ key: String, _ value: JSONValue, at position: Int) {
        self[key] = nil
        let index = Swift.min(Swift.max(position, 0), keys.count)
        keys.insert(key, at: index)
        values.insert(value, at: index)
    }

    public func makeIterator() -> Zip2Sequence<[String], [JSONValue]>.Iterator {
        zip(keys, values).makeIterator()
    }
}
