import FHIRCore

/// A parsed FHIRPath expression, ready to evaluate many times (parse once, e.g. per SearchParameter).
public struct FHIRPathExpression: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written.
    public let text: String
    let root: Expression
    /// The expression as a member path, when it is one (evaluated without the general evaluator).
    let memberPath: MemberPath?
    /// Type information beyond what the JSON says; see `FHIRTypeProvider`.
    public var typeProvider: (any FHIRTypeProvider)?

    /// Parses `text`; throws `FHIRPathError` with the position of the first problem.
    public init(_ text: String) throws(FHIRPathError) {
        self.text = text
        self.root = try Parser.parse(text)
        self.memberPath = MemberPath(root)
    }

    /// Parses `text` and uses `typeProvider` when evaluating.
    public init(_ text: String, typeProvider: (any FHIRTypeProvider)?) throws(FHIRPathError) {
        try self.init(text)
        self.typeProvider = typeProvider
    }

    public var description: String { text }

    /// Evaluates the expression with `resource` as `%resource`, `%context` and the initial focus.
    ///
    /// `environment` supplies `%name` variables (and may override `%context`/`%resource`).
    public func evaluate(on resource: JSONValue, environment: [String: [FHIRPathValue]] = [:])
        throws(FHIRPathError) -> [FHIRPathValue]
    {
        try evaluate(on: resource, environment: environment, byMemberPath: true)
    }

    /// `evaluate(on:environment:)`, by the member path when there is one and `byMemberPath` (tests compare both).
    func evaluate(on resource: JSONValue, environment: [String: [FHIRPathValue]], byMemberPath: Bool)
        throws(FHIRPathError) -> [FHIRPathValue]
    {
        let type = resource["resourceType"]?.stringValue
        let node = FHIRPathValue.node(FHIRPathNode(value: resource, typeName: type))
        let evaluator = Evaluator(resource: node, environment: environment, typeProvider: typeProvider)
        let focus = environment["context"] ?? [node]
        if byMemberPath, let memberPath { return evaluator.evaluate(memberPath, focus: focus) }
        return try evaluator.evaluate(root, focus: focus, scope: Scope(this: focus.first, index: nil, total: []))
    }

    public static func == (lhs: FHIRPathExpression, rhs: FHIRPathExpression) -> Bool { lhs.text == rhs.text }

    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}
