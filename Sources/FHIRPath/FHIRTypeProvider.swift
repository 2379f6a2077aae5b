/// Type information that the JSON alone cannot give, e.g. that `Patient.address` is an `Address`.
///
/// The evaluator works without one: resources are typed by `resourceType`, choice elements by their
/// suffix (`valueQuantity`), extensions as `Extension`. With a provider (built from StructureDefinitions
/// by FHIRProfiles), `is`/`as`/`ofType` also work on ordinary elements, and primitives get their exact type.
public protocol FHIRTypeProvider: Sendable {
    /// The type of element `name` on a value of type `parentType`: a type name (`Address`, `dateTime`)
    /// or, for a backbone element, its path (`Observation.component`); nil when unknown or a choice element.
    func elementType(of name: String, in parentType: String) -> String?

    /// The type `type` directly derives from (`Age` -> `Quantity`, `Patient` -> `DomainResource`); nil at the root.
    func baseType(of type: String) -> String?
}
