import Foundation

/// A JSON Patch document (RFC 6902): a list of operations applied in order to a JSON value.
///
/// Values are `JSONValue`s, so member order and number text of everything the patch does not touch
/// (and of the values it inserts) are kept exactly.
public struct JSONPatch: Sendable, Hashable {
    /// One patch operation.
    public enum Operation: Sendable, Hashable {
        case add(path: JSONPointer, value: JSONValue)
        case remove(path: JSONPointer)
        case replace(path: JSONPointer, value: JSONValue)
        case move(from: JSONPointer, path: JSONPointer)
        case copy(from: JSONPointer, path: JSONPointer)
        case test(path: JSONPointer, value: JSONValue)

        /// The `op` name.
        public var name: String {
            switch self {
            case .add: "add"
            case .remove: "remove"
            case .replace: "replace"
            case .move: "move"
            case .copy: "copy"
            case .test: "test"
            }
        }

        /// The target `path`.
        public var path: JSONPointer {
            switch self {
            case .add(let path, _), .remove(let path), .replace(let path, _), .test(let path, _): path
            case .move(_, let path), .copy(_, let path): path
            }
        }
    }

    /// The operations, in the order they are applied.
    public let operations: [Operation]

    /// A patch of these operations.
    public init(operations: [Operation]) {
        self.operations = operations
    }

    /// Reads a patch document (a JSON array of operation objects); throws `.invalidPatch` naming the
    /// operation index when one is malformed.
    public init(parsing value: JSONValue) throws(FHIRCoreError) {
        guard let elements = value.arrayValue else {
            throw FHIRCoreError(.invalidPatch, "A JSON Patch document must be an array, not \(value.kindName)")
        }
        var operations: [Operation] = []
        operations.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            operations.append(try JSONPatch.operation(element, index: index))
        }
        self.operations = operations
    }

    private static func operation(_ element: JSONValue, index: Int) throws(FHIRCoreError) -> Operation {
        guard let object = element.objectValue else {
            throw FHIRCoreError(.invalidPatch, "Patch operation \(index) must be an object, not \(element.kindName)")
        }
        guard let op = object["op"]?.stringValue else {
            throw FHIRCoreError(.invalidPatch, "Patch operation \(index) has no string 'op'")
        }
        func pointer(_ member: String) throws(FHIRCoreError) -> JSONPointer {
            guard let text = object[member]?.stringValue else {
                throw FHIRCoreError(.invalidPatch, "Patch operation \(index) (\(op)) has no string '\(member)'")
            }
            do {
                return try JSONPointer(text)
            } catch {
                throw FHIRCoreError(.invalidPatch, "Patch operation \(index) (\(op)) \(member): \(error.message)",
                                    expression: text)
            }
        }
        func value() throws(FHIRCoreError) -> JSONValue {
            guard let value = object["value"] else {
                let path = object["path"]?.stringValue ?? ""
                throw FHIRCoreError(.invalidPatch, "Patch operation \(index) (\(op)) at '\(path)' has no 'value'",
                                    expression: path)
            }
            return value
        }
        switch op {
        case "add": return .add(path: try pointer("path"), value: try value())
        case "remove": return .remove(path: try pointer("path"))
        case "replace": return .replace(path: try pointer("path"), value: try value())
        case "move": return .move(from: try pointer("from"), path: try pointer("path"))
        case "copy": return .copy(from: try pointer("from"), path: try pointer("path"))
        case "test": return .test(path: try pointer("path"), value: try value())
        default: throw FHIRCoreError(.invalidPatch, "Patch operation \(index) has an unknown op '\(op)'")
        }
    }

    /// Applies the operations in order to `value`; throws `.invalidPatch` naming the operation index and
    /// path at the first one that cannot be applied (the input is never partly changed: it is a value).
    public func apply(to value: JSONValue) throws(FHIRCoreError) -> JSONValue {
        var document = value
        for (index, operation) in operations.enumerated() {
            do {
                try JSONPatch.apply(operation, to: &document)
            } catch {
                throw FHIRCoreError(
                    .invalidPatch,
                    "Patch operation \(index) (\(operation.name)) at '\(operation.path)': \(error.reason)",
                    expression: operation.path.description)
            }
        }
        return document
    }

    private static func apply(_ operation: Operation, to document: inout JSONValue) throws(PatchFailure) {
        switch operation {
        case .add(let path, let value):
            try insert(value, at: path.tokens[...], in: &document)
        case .remove(let path):
            _ = try remove(at: path.tokens[...], in: &document)
        case .replace(let path, let value):
            guard path.resolve(in: document) != nil else { throw PatchFailure("the target does not exist") }
            _ = try remove(at: path.tokens[...], in: &document, replacement: value)
        case .move(let from, let path):
            if from == path { return }
            if from.isProperPrefix(of: path) { throw PatchFailure("cannot move a value into one of its children") }
            let value = try remove(at: from.tokens[...], in: &document)
            try insert(value, at: path.tokens[...], in: &document)
        case .copy(let from, let path):
            guard let value = from.resolve(in: document) else { throw PatchFailure("'from' '\(from)' does not exist") }
            try insert(value, at: path.tokens[...], in: &document)
        case .test(let path, let expected):
            guard let actual = path.resolve(in: document) else { throw PatchFailure("the target does not exist") }
            guard JSONPatch.equal(actual, expected) else { throw PatchFailure("test failed: the value differs") }
        }
    }

    /// Adds `value` at `tokens` (RFC 6902 4.1): replaces an object member, inserts into an array, `-` appends.
    private static func insert(_ value: JSONValue, at tokens: ArraySlice<String>, in node: inout JSONValue)
        throws(PatchFailure)
    {
        guard let token = tokens.first else {
            node = value
            return
        }
        let rest = tokens.dropFirst()
        switch node {
        case .object(var object):
            if rest.isEmpty {
                object[token] = value
            } else {
                guard var child = object[token] else { throw PatchFailure("member '\(token)' does not exist") }
                node = .null  // drop the reference so the child is mutated in place
                try insert(value, at: rest, in: &child)
                object[token] = child
            }
            node = .object(object)
        case .array(var elements):
            if rest.isEmpty {
                if token == "-" {
                    elements.append(value)
                } else {
                    guard let index = JSONPointer.arrayIndex(token), index <= elements.count else {
                        throw PatchFailure("array index '\(token)' is out of bounds")
                    }
                    elements.insert(value, at: index)
                }
            } else {
                guard let index = JSONPointer.arrayIndex(token), index < elements.count else {
                    throw PatchFailure("array index '\(token)' is out of bounds")
                }
                node = .null
                try insert(value, at: rest, in: &elements[index])
            }
            node = .array(elements)
        default:
            throw PatchFailure("cannot add into a \(node.kindName)")
        }
    }

    /// Removes the value at `tokens` and returns it; with a `replacement`, puts it in the same place instead.
    private static func remove(
        at tokens: ArraySlice<String>, in node: inout JSONValue, replacement: JSONValue? = nil
    ) throws(PatchFailure) -> JSONValue {
        guard let token = tokens.first else {
            if let replacement {
                let old = node
                node = replacement
                return old
            }
            throw PatchFailure("cannot remove the whole document")
        }
        let rest = tokens.dropFirst()
        switch node {
        case .object(var object):
            guard var child = object[token] else { throw PatchFailure("member '\(token)' does not exist") }
            node = .null
            let removed: JSONValue
            if rest.isEmpty {
                removed = child
                if let replacement { object[token] = replacement } else { object[token] = nil }
            } else {
                removed = try remove(at: rest, in: &child, replacement: replacement)
                object[token] = child
            }
            node = .object(object)
            return removed
        case .array(var elements):
            guard let index = JSONPointer.arrayIndex(token), index < elements.count else {
                throw PatchFailure("array index '\(token)' is out of bounds")
            }
            node = .null
            let removed: JSONValue
            if rest.isEmpty {
                removed = elements[index]
                if let replacement { elements[index] = replacement } else { elements.remove(at: index) }
            } else {
                removed = try remove(at: rest, in: &elements[index], replacement: replacement)
            }
            node = .array(elements)
            return removed
        default:
            throw PatchFailure("'\(token)' cannot be looked up in a \(node.kindName)")
        }
    }

    /// JSON equality as RFC 6902 `test` defines it: numbers by value, objects regardless of member order.
    static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.number(let left), .number(let right)):
            if left == right { return true }
            guard let leftValue = Decimal(string: left, locale: nil), let rightValue = Decimal(string: right, locale: nil)
            else { return false }
            return leftValue == rightValue
        case (.array(let left), .array(let right)):
            return left.count == right.count && zip(left, right).allSatisfy { equal($0, $1) }
        case (.object(let left), .object(let right)):
            guard left.count == right.count else { return false }
            for (key, value) in left {
                guard let other = right[key], equal(value, other) else { return false }
            }
            return true
        default:
            return lhs == rhs
        }
    }
}

/// Why one operation failed; `apply(to:)` turns it into a `FHIRCoreError` with the index and path.
private struct PatchFailure: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
