import FHIRCore

/// Membership of the Patient compartment (the R4 CompartmentDefinition `patient`), decided on a resource
/// in memory: a resource belongs to a patient's compartment when one of its type's compartment parameters
/// refers to that patient, and a Patient belongs to its own.
///
/// A served type that the definition leaves out but that can refer to a patient (Task, whose `for`, `owner`
/// or `requester` may be one) is given its reference parameters that may target a Patient, so that patient
/// data outside the definition is confined too.
///
/// Used to confine patient-context access to one patient's data. A parameter whose expression cannot be
/// evaluated counts as no link, so an error narrows access rather than widening it.
public struct PatientCompartment: Sendable {
    /// For each type in the compartment, the parameters that link it to a patient.
    public let links: [String: [String]]
    private let extractor: SearchIndexExtractor?

    public init(registry: ProfileRegistry) {
        var links = registry.patientCompartment.filter { registry.isServed($0.key) && $0.key != "Patient" }
        for type in registry.servedTypes where type != "Patient" && links[type] == nil {
            let parameters = registry.searchParameters(for: type)
                .filter { $0.type == .reference && $0.expression != nil && $0.targets.contains("Patient") }
                .map(\.code)
            if !parameters.isEmpty { links[type] = parameters.sorted() }
        }
        self.links = links
        extractor = try? SearchIndexExtractor(registry: registry, only: links)
    }

    /// Whether resources of `type` can belong to a patient's compartment (Patient itself included).
    public func includes(_ type: String) -> Bool {
        type == "Patient" || links[type] != nil
    }

    /// Whether `resource` is in the compartment of Patient `patientID`.
    public func contains(_ resource: FHIRResource, patientID: String) -> Bool {
        if resource.resourceType == "Patient" { return resource.id == patientID }
        guard let parameters = links[resource.resourceType], let extractor else { return false }
        return extractor.entries(for: resource).references.contains { reference in
            reference.targetType == "Patient" && reference.targetID == patientID && parameters.contains(reference.parameter)
        }
    }

    /// The ids of every Patient that `value` refers to anywhere (`Patient/1`, `http://host/fhir/Patient/1`,
    /// `Patient/1/_history/2`), whether or not a search parameter covers the element.
    public static func patientsReferenced(in value: JSONValue) -> Set<String> {
        var found: Set<String> = []
        collect(value, into: &found)
        return found
    }

    private static func collect(_ value: JSONValue, into found: inout Set<String>) {
        switch value {
        case .object(let object):
            for (key, member) in object {
                if key == "reference", let text = member.stringValue, let id = patientID(in: text) {
                    found.insert(id)
                } else {
                    collect(member, into: &found)
                }
            }
        case .array(let values):
            for member in values { collect(member, into: &found) }
        default:
            break
        }
    }

    /// The id of a reference to a Patient, without any `_history` part.
    private static func patientID(in reference: String) -> String? {
        var parts = reference.split(separator: "/").map(String.init)
        if parts.count >= 2, parts[parts.count - 2] == "_history" { parts.removeLast(2) }
        guard parts.count >= 2, parts[parts.count - 2] == "Patient" else { return nil }
        return parts[parts.count - 1]
    }
}
