/// A type named in `is`, `as`, `ofType()`: `Quantity`, `FHIR.Patient`, `System.String`.
struct TypeSpecifier: Sendable, Hashable {
    /// `FHIR`, `System`, or nil when not qualified.
    let namespace: String?
    let name: String
}

/// Binary operators, in the grammar's precedence groups.
enum BinaryOperator: String, Sendable, Hashable {
    case multiply = "*", divide = "/", div, mod
    case add = "+", subtract = "-", concatenate = "&"
    case union = "|"
    case less = "<", greater = ">", lessOrEqual = "<=", greaterOrEqual = ">="
    case equal = "=", equivalent = "~", notEqual = "!=", notEquivalent = "!~"
    case `in`, contains
    case and
    case or, xor
    case implies
}

/// A parsed FHIRPath expression; every node keeps the position of its first character.
indirect enum Expression: Sendable, Hashable {
    case literal(FHIRPathValue)
    /// `{}`.
    case empty
    /// A member name (or a type name at the start of a path), on the result of `base` or on the focus.
    case member(base: Expression?, name: String, position: Int)
    /// A function call on the result of `base` or on the focus.
    case function(base: Expression?, function: FHIRPathFunction, arguments: [Expression], position: Int)
    /// A type name given as an argument to `ofType()`, `as()`, `is()`.
    case type(TypeSpecifier)
    case indexer(base: Expression, index: Expression, position: Int)
    case negate(Expression, position: Int)
    case binary(BinaryOperator, Expression, Expression, position: Int)
    case isType(Expression, TypeSpecifier)
    case asType(Expression, TypeSpecifier)
    case this
    case index
    case total
    /// `%name`.
    case variable(String, position: Int)
}
