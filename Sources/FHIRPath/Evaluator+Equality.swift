import FHIRCore
import Foundation

extension Evaluator {
    /// `=` of two items: nil when the answer is unknown (dates of different precision, no value).
    static func equal(_ lhs: FHIRPathValue, _ rhs: FHIRPathValue) -> Bool? {
        if case .node(let a) = lhs, case .node(let b) = rhs, !a.isPrimitive || !b.isPrimitive {
            return jsonEqual(a.value, b.value)
        }
        guard let a = lhs.systemValue, let b = rhs.systemValue else { return nil }
        switch (a, b) {
        case (.boolean(let x), .boolean(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.integer(let x), .integer(let y)): return x == y
        case (.quantity(let x), .quantity(let y)):
            return x.compare(to: y).map { $0 == .orderedSame }
        case (.node, _), (_, .node): return false
        default:
            if let x = decimal(a), let y = decimal(b) { return x == y }
            if let x = temporal(a), let y = temporal(b, like: x) { return x.compare(to: y).map { $0 == .orderedSame } }
            return false
        }
    }

    /// `~` of two items.
    static func equivalent(_ lhs: FHIRPathValue, _ rhs: FHIRPathValue) -> Bool {
        guard let a = lhs.systemValue, let b = rhs.systemValue else { return lhs.systemValue == nil && rhs.systemValue == nil }
        switch (a, b) {
        case (.string(let x), .string(let y)): return normalised(x) == normalised(y)
        case (.decimal, _), (_, .decimal):
            guard let x = decimal(a), let y = decimal(b) else { return false }
            let places = Swift.min(decimalPlaces(a), decimalPlaces(b))
            return rounded(x, places) == rounded(y, places)
        default: return equal(lhs, rhs) ?? false
        }
    }

    static func collectionsEqual(_ left: [FHIRPathValue], _ right: [FHIRPathValue]) -> Bool? {
        if left.isEmpty || right.isEmpty { return nil }
        guard left.count == right.count else { return false }
        var unknown = false
        for (a, b) in zip(left, right) {
            switch equal(a, b) {
            case false?: return false
            case nil: unknown = true
            default: continue
            }
        }
        return unknown ? nil : true
    }

    static func collectionsEquivalent(_ left: [FHIRPathValue], _ right: [FHIRPathValue]) -> Bool {
        guard left.count == right.count else { return false }
        var unmatched = right
        for item in left {
            guard let index = unmatched.firstIndex(where: { equivalent(item, $0) }) else { return false }
            unmatched.remove(at: index)
        }
        return true
    }

    /// Orders two system values; nil when unknown (different date precisions, incomparable units).
    static func compare(_ a: FHIRPathValue, _ b: FHIRPathValue, at position: Int) throws(FHIRPathError)
        -> ComparisonResult?
    {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x == y ? .orderedSame : (x < y ? .orderedAscending : .orderedDescending)
        case (.quantity(let x), .quantity(let y)): return x.compare(to: y)
        default: break
        }
        if let x = decimal(a), let y = decimal(b) { return x == y ? .orderedSame : (x < y ? .orderedAscending : .orderedDescending) }
        if let x = temporal(a), let y = temporal(b, like: x) { return x.compare(to: y) }
        throw FHIRPathError(.typeMismatch, "Cannot compare \(a.typeName ?? "?") with \(b.typeName ?? "?")", at: position)
    }

    /// The temporal of a Date/DateTime/Time value, or of a string that reads as one (`like` picks the kind).
    static func temporal(_ value: FHIRPathValue, like other: FHIRPathTemporal? = nil) -> FHIRPathTemporal? {
        switch value {
        case .date(let t), .dateTime(let t), .time(let t): return t
        case .string(let text):
            if let other, other.year == nil { return FHIRPathTemporal(time: text) }
            return FHIRPathTemporal(dateTime: text)
        default: return nil
        }
    }

    /// Removes later duplicates (by `=`), keeping order.
    static func distinct(_ items: [FHIRPathValue]) -> [FHIRPathValue] {
        var result: [FHIRPathValue] = []
        result.reserveCapacity(items.count)
        for item in items where !result.contains(where: { equal($0, item) == true || $0 == item }) {
            result.append(item)
        }
        return result
    }

    /// JSON equality regardless of member order; numbers by value.
    static func jsonEqual(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.number(let x), .number(let y)):
            return x == y || Decimal(string: x, locale: nil) == Decimal(string: y, locale: nil)
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { jsonEqual($0, $1) }
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for (key, value) in x {
                guard let other = y[key], jsonEqual(value, other) else { return false }
            }
            return true
        default:
            return lhs == rhs
        }
    }

    private static func normalised(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    private static func decimalPlaces(_ value: FHIRPathValue) -> Int {
        guard case .decimal(let text) = value, let dot = text.firstIndex(of: ".") else { return 0 }
        return text.distance(from: dot, to: text.endIndex) - 1
    }

    private static func rounded(_ value: Decimal, _ places: Int) -> Decimal {
        var copy = value
        var result = Decimal()
        NSDecimalRound(&result, &copy, places, .plain)
        return result
    }
}
