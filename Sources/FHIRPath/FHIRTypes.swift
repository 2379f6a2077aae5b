/// What the evaluator knows about FHIR types without a `FHIRTypeProvider`.
enum FHIRTypes {
    /// Primitive types, by the capitalised suffix they have in choice element names (`valueDateTime`).
    static let primitiveBySuffix: [String: String] = {
        let names = ["base64Binary", "boolean", "canonical", "code", "date", "dateTime", "decimal", "id", "instant",
                     "integer", "markdown", "oid", "positiveInt", "string", "time", "unsignedInt", "uri", "url",
                     "uuid", "xhtml"]
        var table: [String: String] = [:]
        for name in names { table[name.prefix(1).uppercased() + name.dropFirst()] = name }
        return table
    }()

    /// Complex types that may appear as the type of a choice element.
    static let complexChoiceTypes: Set<String> = [
        "Address", "Age", "Annotation", "Attachment", "CodeableConcept", "Coding", "ContactPoint", "Count",
        "Distance", "Duration", "HumanName", "Identifier", "Money", "Period", "Quantity", "Range", "Ratio",
        "Reference", "SampledData", "Signature", "Timing", "ContactDetail", "Contributor", "DataRequirement",
        "Expression", "ParameterDefinition", "RelatedArtifact", "TriggerDefinition", "UsageContext", "Dosage",
        "Meta", "MoneyQuantity", "SimpleQuantity",
    ]

    /// The System type each FHIR primitive converts to implicitly, so that `value.as(DateTime)` (as R4's
    /// composite search parameters write it) selects a FHIR `dateTime`.
    static let systemTypes: [String: String] = [
        "boolean": "Boolean", "string": "String", "integer": "Integer", "decimal": "Decimal", "date": "Date",
        "dateTime": "DateTime", "time": "Time",
    ]

    static let integerTypes: Set<String> = ["integer", "positiveInt", "unsignedInt"]
    static let quantityTypes: Set<String> = [
        "Quantity", "Age", "Count", "Distance", "Duration", "SimpleQuantity", "MoneyQuantity",
    ]
    /// Resources that are not DomainResources.
    static let plainResources: Set<String> = ["Bundle", "Binary", "Parameters"]

    /// The built-in base type of `type` (one step up), used when no provider is given or it does not know.
    static func baseType(of type: String) -> String? {
        if quantityTypes.contains(type), type != "Quantity" { return "Quantity" }
        switch type {
        case "code", "id", "markdown": return "string"
        case "url", "canonical", "oid", "uuid": return "uri"
        case "positiveInt", "unsignedInt": return "integer"
        case "DomainResource": return "Resource"
        default: return nil
        }
    }

    /// The FHIR type named by the suffix of a choice element (`Quantity` -> Quantity, `String` -> string).
    static func choiceType(suffix: Substring) -> String? {
        let name = String(suffix)
        if let primitive = primitiveBySuffix[name] { return primitive }
        return complexChoiceTypes.contains(name) ? name : nil
    }
}
