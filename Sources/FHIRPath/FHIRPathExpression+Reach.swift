extension FHIRPathExpression {
    /// The top-level elements of a resource of type `resourceType` that this expression's results can come from,
    /// when its form tells: on a resource holding none of them (no `name`, `_name` or choice `name[x]` key), it
    /// finds nothing, so it need not be evaluated. Nil when the form does not tell (the expression starts from a
    /// function, a variable or a literal, or uses a function or operator that can answer without input, such as
    /// `exists()` or `=`). An empty set: the expression finds nothing on such a resource at all (its paths start
    /// from other resource types).
    ///
    /// Only paths, their unions, type casts and functions whose results are part of their input (`where`,
    /// `first`, `ofType`, `extension`, ...) are followed; `resolve()` leaves the resource and is not.
    public func topLevelElements(ofResourceType resourceType: String) -> Set<String>? {
        guard case .elements(let names) = Self.reach(of: root, resourceType: resourceType) else { return nil }
        return names
    }

    /// Where an expression's results lie within the resource it is evaluated on.
    private enum Reach {
        /// The resource itself (its type name at the start of a path).
        case resource
        /// Inside these top-level elements.
        case elements(Set<String>)
        /// Cannot be told.
        case unknown
    }

    /// Functions whose results are drawn from their input, so that an empty input gives an empty result.
    private static let subsetting: Set<FHIRPathFunction> = [
        .where, .ofType, .as, .single, .first, .last, .tail, .skip, .take, .distinct, .children, .descendants,
    ]

    private static func reach(of expression: Expression, resourceType: String) -> Reach {
        switch expression {
        case .member(nil, let name, _):
            guard name.first?.isUppercase == true else { return .elements([name]) }
            // A type name first: the resource when it is of that type, nothing otherwise.
            return [resourceType, "Resource", "DomainResource"].contains(name) ? .resource : .elements([])
        case .member(let base?, let name, _):
            switch reach(of: base, resourceType: resourceType) {
            case .resource: return .elements([name])
            case .elements(let names): return .elements(names)
            case .unknown: return .unknown
            }
        case .function(let base?, .extension, _, _):
            // A resource's extensions are its top-level `extension` element.
            let reach = reach(of: base, resourceType: resourceType)
            if case .resource = reach { return .elements(["extension"]) }
            return inside(reach)
        case .function(let base?, let function, _, _) where subsetting.contains(function):
            return inside(reach(of: base, resourceType: resourceType))
        case .indexer(let base, _, _), .asType(let base, _):
            return inside(reach(of: base, resourceType: resourceType))
        case .binary(.union, let left, let right, _):
            guard case .elements(let a) = reach(of: left, resourceType: resourceType),
                  case .elements(let b) = reach(of: right, resourceType: resourceType)
            else { return .unknown }
            return .elements(a.union(b))
        default:
            return .unknown
        }
    }

    /// A part of what `reach` covers: the same elements; the resource itself is not narrowed down.
    private static func inside(_ reach: Reach) -> Reach {
        if case .elements = reach { return reach }
        return .unknown
    }
}
