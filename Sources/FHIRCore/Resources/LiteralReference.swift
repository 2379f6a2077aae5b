/// The resource a literal reference names (https://hl7.org/fhir/R4/references.html#literal): `Patient/123`,
/// `Patient/123/_history/2`, or an absolute URL ending in them (`http://x/fhir/Patient/123`).
public struct LiteralReference: Sendable, Hashable {
    /// The resource type (ASCII letters, starting upper-case, as every FHIR resource type name).
    public let type: String
    /// The logical id.
    public let id: String
    /// Whether the reference is just `Type/id` (with or without `_history/n`), nothing before it.
    public let isTypeAndIDOnly: Bool

    /// Reads the last `Type/id` of `text`, after dropping a trailing `_history/n`; nil when they are not a
    /// type name and a valid id.
    public init?(_ text: String) {
        var parts = text.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count >= 4, parts[parts.count - 2] == "_history" { parts.removeLast(2) }
        guard parts.count >= 2 else { return nil }
        let type = parts[parts.count - 2]
        let id = String(parts[parts.count - 1])
        guard let first = type.utf8.first, (0x41...0x5A).contains(first),
              type.utf8.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }), FHIRResource.isValidID(id)
        else { return nil }
        self.type = String(type)
        self.id = id
        isTypeAndIDOnly = parts.count == 2
    }
}
