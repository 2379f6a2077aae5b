import FHIRCore
import FHIRProfiles
import Testing

/// Membership of the Patient compartment, decided in memory from the R4 CompartmentDefinition's parameters.
@Suite("Patient compartment membership")
struct PatientCompartmentTests {
    static let compartment = Result { PatientCompartment(registry: try TestSupport.registry.get()) }

    func contains(_ json: String, _ patient: String) throws -> Bool {
        try Self.compartment.get().contains(TestSupport.resource(json), patientID: patient)
    }

    @Test("A Patient is in its own compartment only")
    func patientItself() throws {
        #expect(try contains(#"{"resourceType":"Patient","id":"p1"}"#, "p1"))
        #expect(try !contains(#"{"resourceType":"Patient","id":"p2","link":[{"other":{"reference":"Patient/p1"},"type":"seealso"}]}"#, "p1"))
    }

    @Test("A resource is in the compartment of the patient a compartment parameter refers to")
    func throughParameters() throws {
        let observation = #"{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/p1"}}"#
        #expect(try contains(observation, "p1"))
        #expect(try !contains(observation, "p2"))
        let performed = #"{"resourceType":"Observation","status":"final","code":{"text":"x"},"performer":[{"reference":"Patient/p2"}]}"#
        #expect(try contains(performed, "p2"))
        let absolute = #"{"resourceType":"Appointment","status":"booked","participant":[{"actor":{"reference":"http://h/fhir/Patient/p3"},"status":"accepted"}]}"#
        #expect(try contains(absolute, "p3"))
    }

    @Test("A reference outside the compartment parameters does not make a member")
    func otherReferences() throws {
        let basedOn = #"{"resourceType":"Observation","status":"final","code":{"text":"x"},"focus":[{"reference":"Patient/p1"}]}"#
        #expect(try !contains(basedOn, "p1"))
        #expect(try !contains(#"{"resourceType":"Practitioner","id":"d1"}"#, "p1"))
        #expect(try Self.compartment.get().includes("Observation"))
        #expect(try !Self.compartment.get().includes("Practitioner"))
    }

    @Test("Every Patient reference is found, in any element, absolute or versioned")
    func referencedPatients() throws {
        let resource = try TestSupport.resource("""
            {"resourceType":"Communication","status":"completed","subject":{"reference":"Patient/a"},
             "recipient":[{"reference":"http://h/fhir/Patient/b/_history/2"}],
             "extension":[{"url":"x","valueReference":{"reference":"Patient/c"}}],"sender":{"reference":"Practitioner/d"}}
            """)
        #expect(PatientCompartment.patientsReferenced(in: .object(resource.json)) == ["a", "b", "c"])
    }
}
