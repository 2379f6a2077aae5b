import FHIRCore
import Foundation

extension Evaluator {
    func binary(
        _ op: BinaryOperator, _ leftExpression: Expression, _ rightExpression: Expression,
        focus: [FHIRPathValue], scope: Scope, at position: Int
    ) throws(FHIRPathError) -> [FHIRPathValue] {
        let left = try evaluate(leftExpression, focus: focus, scope: scope)
        switch op {
        case .and, .or, .xor, .implies:
            let leftValue = try boolean(left, at: position)
            // Short-circuit where the answer no longer depends on the right operand.
            if op == .and, leftValue == false { return [.boolean(false)] }
            if op == .or, leftValue == true { return [.boolean(true)] }
            if op == .implies, leftValue == false { return [.boolean(true)] }
            let rightValue = try boolean(try evaluate(rightExpression, focus: focus, scope: scope), at: position)
            return Evaluator.logic(op, leftValue, rightValue).map { [.boolean($0)] } ?? []
        default:
            break
        }
        let right = try evaluate(rightExpression, focus: focus, scope: scope)
        switch op {
        case .union:
            return Evaluator.distinct(left + right)
        case .equal, .notEqual:
            guard let equal = Evaluator.collectionsEqual(left, right) else { return [] }
            return [.boolean(op == .equal ? equal : !equal)]
        case .equivalent, .notEquivalent:
            let equivalent = Evaluator.collectionsEquivalent(left, right)
            return [.boolean(op == .equivalent ? equivalent : !equivalent)]
        case .less, .greater, .lessOrEqual, .greaterOrEqual:
            guard let a = try singleton(left, at: position), let b = try singleton(right, at: position) else { return [] }
            guard let order = try Evaluator.compare(a, b, at: position) else { return [] }
            switch op {
            case .less: return [.boolean(order == .orderedAscending)]
            case .greater: return [.boolean(order == .orderedDescending)]
            case .lessOrEqual: return [.boolean(order != .orderedDescending)]
            default: return [.boolean(order != .orderedAscending)]
            }
        case .in, .contains:
            let (element, collection) = op == .in ? (left, right) : (right, left)
            guard let item = try singleton(element, at: position) else { return [] }
            return [.boolean(collection.contains { Evaluator.equal(item, $0) == true })]
        case .concatenate:
            let a = try singleton(left, at: position).flatMap(Evaluator.text) ?? ""
            let b = try singleton(right, at: position).flatMap(Evaluator.text) ?? ""
            return [.string(a + b)]
        default:
            guard let a = try singleton(left, at: position), let b = try singleton(right, at: position) else { return [] }
            return try Evaluator.arithmetic(op, a, b, at: position).map { [$0] } ?? []
        }
    }

    /// Three-valued logic of FHIRPath (nil is the empty collection).
    static func logic(_ op: BinaryOperator, _ a: Bool?, _ b: Bool?) -> Bool? {
        switch op {
        case .and:
            if a == false || b == false { return false }
            return a == true && b == true ? true : nil
        case .or:
            if a == true || b == true { return true }
            return a == false && b == false ? false : nil
        case .xor:
            guard let a, let b else { return nil }
            return a != b
        default:  // implies
            if a == false || b == true { return true }
            return a == true && b == false ? false : nil
        }
    }

    /// The single system value of a collection; nil when empty; an error for several items.
    func singleton(_ collection: [FHIRPathValue], at position: Int) throws(FHIRPathError) -> FHIRPathValue? {
        guard collection.count <= 1 else {
            throw FHIRPathError(.notSingleton, "Expected a single value, got \(collection.count)", at: position)
        }
        return collection.first?.systemValue
    }

    /// A collection in a Boolean context: empty is nil; one Boolean is itself; one other item is true.
    func boolean(_ collection: [FHIRPathValue], at position: Int) throws(FHIRPathError) -> Bool? {
        guard let first = collection.first else { return nil }
        guard collection.count == 1 else {
            throw FHIRPathError(.notSingleton, "Expected a single Boolean, got \(collection.count) items", at: position)
        }
        if case .boolean(let flag)? = first.systemValue { return flag }
        return true
    }

    func negate(_ collection: [FHIRPathValue], at position: Int) throws(FHIRPathError) -> [FHIRPathValue] {
        guard let value = try singleton(collection, at: position) else { return [] }
        switch value {
        case .integer(let number): return [.integer(-number)]
        case .decimal(let text): return [.decimal(text.hasPrefix("-") ? String(text.dropFirst()) : "-" + text)]
        case .quantity(let quantity):
            let value = quantity.value.hasPrefix("-") ? String(quantity.value.dropFirst()) : "-" + quantity.value
            return [.quantity(FHIRPathQuantity(value: value, unit: quantity.unit))]
        default: throw FHIRPathError(.typeMismatch, "Cannot negate \(value.typeName ?? "this value")", at: position)
        }
    }

    /// The string of a value for `&` and string functions.
    static func text(_ value: FHIRPathValue) -> String? {
        switch value {
        case .string(let text): text
        case .node(let node): node.value.stringValue
        default: nil
        }
    }

    static func decimal(_ value: FHIRPathValue) -> Decimal? {
        switch value {
        case .integer(let number): Decimal(number)
        case .decimal(let text): Decimal(string: text, locale: nil)
        default: nil
        }
    }

    static func decimalText(_ value: Decimal) -> String {
        var copy = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &copy, 8, .plain)
        return rounded.description
    }

    static func arithmetic(_ op: BinaryOperator, _ a: FHIRPathValue, _ b: FHIRPathValue, at position: Int)
        throws(FHIRPathError) -> FHIRPathValue?
    {
        if op == .add, case .string(let left) = a, case .string(let right) = b { return .string(left + right) }
        if case .integer(let x) = a, case .integer(let y) = b {
            switch op {
            case .add: return .integer(x &+ y)
            case .subtract: return .integer(x &- y)
            case .multiply: return .integer(x &* y)
            case .div: return y == 0 ? nil : .integer(x / y)
            case .mod: return y == 0 ? nil : .integer(x % y)
            default: break
            }
        }
        if let x = decimal(a), let y = decimal(b) {
            switch op {
            case .add: return .decimal(decimalText(x + y))
            case .subtract: return .decimal(decimalText(x - y))
            case .multiply: return .decimal(decimalText(x * y))
            case .divide: return y == 0 ? nil : .decimal(decimalText(x / y))
            case .div:
                guard y != 0 else { return nil }
                var quotient = x / y
                var truncated = Decimal()
                NSDecimalRound(&truncated, &quotient, 0, quotient < 0 ? .up : .down)
                return .integer(NSDecimalNumber(decimal: truncated).intValue)
            case .mod:
                guard y != 0 else { return nil }
                var quotient = x / y
                var truncated = Decimal()
                NSDecimalRound(&truncated, &quotient, 0, quotient < 0 ? .up : .down)
                return .decimal(decimalText(x - truncated * y))
            default: break
            }
        }
        if case .quantity(let x) = a, case .quantity(let y) = b, x.unit == y.unit, op == .add || op == .subtract,
           let left = x.decimal, let right = y.decimal
        {
            let sum = op == .add ? left + right : left - right
            return .quantity(FHIRPathQuantity(value: decimalText(sum), unit: x.unit))
        }
        throw FHIRPathError(.typeMismatch,
                            "Operator '\(op.rawValue)' cannot combine \(a.typeName ?? "?") and \(b.typeName ?? "?")",
                            at: position)
    }
}
