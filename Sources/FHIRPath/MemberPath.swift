import FHIRCore

/// An expression that is a path of member names (`Observation.code.coding`) or a union of such paths
/// (`Patient.name | Practitioner.name`): nine in ten search parameters' expressions. `FHIRPathExpression` evaluates
/// these step by step (`Evaluator.evaluate(_:focus:)`) instead of through the general evaluator's recursion, with
/// the same results: the same first step, the same children at each step, the same union.
indirect enum MemberPath: Sendable, Hashable {
    /// A name at the start of the path (a type name or a member) and the member names after it.
    case chain(first: String, rest: [String])
    /// `left | right`.
    case union(MemberPath, MemberPath)

    /// The path `expression` is, or nil when it is anything else.
    init?(_ expression: Expression) {
        switch expression {
        case .binary(.union, let left, let right, _):
            guard let left = MemberPath(left), let right = MemberPath(right) else { return nil }
            self = .union(left, right)
        case .member:
            var names: [String] = []
            var current: Expression? = expression
            while let step = current {
                guard case .member(let base, let name, _) = step else { return nil }
                names.append(name)
                current = base
            }
            names.reverse()
            self = .chain(first: names[0], rest: Array(names.dropFirst()))
        default:
            return nil
        }
    }
}

extension Evaluator {
    /// `path` on `focus`, as `evaluate(_:focus:scope:)` gives it for the expression it came from.
    func evaluate(_ path: MemberPath, focus: [FHIRPathValue]) -> [FHIRPathValue] {
        switch path {
        case .chain(let first, let rest):
            var items = termMember(first, focus: focus)
            for name in rest where !items.isEmpty {
                var children: [FHIRPathValue] = []
                for item in items { appendChildren(of: item, named: name, to: &children) }
                items = children
            }
            return items
        case .union(let left, let right):
            return Evaluator.distinct(evaluate(left, focus: focus) + evaluate(right, focus: focus))
        }
    }
}
