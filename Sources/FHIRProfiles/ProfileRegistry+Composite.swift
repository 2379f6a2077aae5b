/// The two parts of a composite search parameter of a token and a value (`code-value-quantity`,
/// `component-code-value-concept`...: every composite of R4 but DocumentReference `relationship`, whose
/// definition names its parts the wrong way round).
public struct CompositeParts: Sendable {
    /// The token parameter the first part names (`code`), and the part's expression relative to the composite's
    /// element (`code`).
    public var token: SearchParameterDefinition
    public var tokenExpression: String
    /// The parameter the second part names (`value-quantity`), and the part's expression (`value.as(Quantity)`).
    public var value: SearchParameterDefinition
    public var valueExpression: String
}

extension ProfileRegistry {
    /// The parts of composite parameter `definition` of `type` when they are a token and a value (neither
    /// composite nor special); nil otherwise.
    public func compositeParts(of definition: SearchParameterDefinition, for type: String) -> CompositeParts? {
        guard definition.type == .composite, definition.components.count == 2,
              let token = searchParameter(definition.components[0].code, for: type),
              let value = searchParameter(definition.components[1].code, for: type),
              token.type == .token, value.type != .composite, value.type != .special
        else { return nil }
        return CompositeParts(
            token: token, tokenExpression: definition.components[0].expression,
            value: value, valueExpression: definition.components[1].expression)
    }
}
