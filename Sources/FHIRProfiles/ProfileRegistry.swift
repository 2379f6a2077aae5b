import FHIRCore
import Foundation

/// The FHIR R4 definitions the hub works from: which resource types exist and are served, how each is
/// validated, which search parameters each supports, and the Patient compartment.
///
/// Loaded once from the tables in `profiles/` (written by `scripts/generate-profiles`); all lookup tables are
/// built at load time so that validating a resource does no parsing or regex compilation.
public struct ProfileRegistry: Sendable {
    let structures: StructureTables
    private let served: Set<String>
    private let searchParametersByType: [String: [SearchParameterDefinition]]
    /// What `isSingleValued` has worked out.
    let singleValuedAnswers = SingleValuedAnswers()

    /// The resource types the hub serves over REST, sorted.
    public var servedTypes: [String]

    /// For each resource type in the Patient compartment, the search parameter codes that link it to a patient.
    public var patientCompartment: [String: [String]]

    /// Loads the profile tables from `directory` (the `profiles/` folder).
    ///
    /// Throws a `ProfilesError` naming the file and entry when a table is missing or malformed.
    public static func load(from directory: URL) throws -> ProfileRegistry {
        try loadTables(from: directory)
    }

    private static func loadTables(from directory: URL) throws(ProfilesError) -> ProfileRegistry {
        var compiler = try StructureCompiler(
            structures: ProfileFile("structures.json", in: directory),
            valueSets: ProfileFile("valuesets.json", in: directory))
        let structures = try compiler.compile()
        let servedFile = try ProfileFile("served.json", in: directory)
        let served = try servedFile.strings(servedFile.root, "served", at: "served").sorted()
        for type in served where structures.resources[type].map({ !$0.isAbstract }) != true {
            throw servedFile.invalid("'\(type)' is not a resource type in structures.json", at: "served")
        }
        return ProfileRegistry(
            structures: structures, served: Set(served),
            searchParametersByType: try SearchParameterReader.read(ProfileFile("searchparameters.json", in: directory)),
            servedTypes: served,
            patientCompartment: try SearchParameterReader.patientCompartment(
                ProfileFile("compartments.json", in: directory)))
    }

    /// Whether `type` is a concrete FHIR R4 resource type (served or not).
    public func isKnownResourceType(_ type: String) -> Bool {
        guard let structure = structures.resources[type] else { return false }
        return !structure.isAbstract
    }

    /// Whether the hub serves `type` over REST.
    public func isServed(_ type: String) -> Bool {
        served.contains(type)
    }

    /// Every concrete FHIR R4 resource type, sorted.
    public var knownResourceTypes: [String] {
        structures.resources.filter { !$0.value.isAbstract }.keys.sorted()
    }

    /// Checks `resource` against its type's structure and required bindings.
    ///
    /// Returns the problems found (empty when the resource is valid), each with the FHIRPath of the element
    /// concerned and a code from the `issue-type` value set.
    public func validate(_ resource: FHIRResource) -> [OperationOutcome.Issue] {
        var validator = ResourceValidator(structures: structures)
        validator.validateResource(resource.json, path: ValidationPath(root: resource.resourceType))
        return validator.issues
    }

    /// The search parameters `type` supports, sorted by code; empty for types that are not served.
    public func searchParameters(for type: String) -> [SearchParameterDefinition] {
        searchParametersByType[type] ?? []
    }

    /// The search parameter `code` of `type`, if it has one.
    public func searchParameter(_ code: String, for type: String) -> SearchParameterDefinition? {
        searchParametersByType[type]?.first { $0.code == code }
    }

    /// Required-binding value sets that are not enforced because they cannot be expanded
    /// (MIME types, currencies, UCUM units...), with the reason.
    public var unenforcedValueSets: [String: String] {
        structures.unenforcedValueSets
    }
}
