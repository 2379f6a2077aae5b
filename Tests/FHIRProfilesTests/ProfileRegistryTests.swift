import FHIRCore
import FHIRProfiles
import Foundation
import Testing

@Suite("Profile registry")
struct ProfileRegistryTests {
    @Test("served and known resource types")
    func resourceTypes() throws {
        let registry = try TestSupport.registry.get()
        #expect(registry.servedTypes.count == 37)
        #expect(registry.servedTypes == registry.servedTypes.sorted())
        #expect(registry.isServed("Appointment"))
        #expect(!registry.isServed("Basic"))
        #expect(registry.isKnownResourceType("Basic"))
        #expect(!registry.isKnownResourceType("Resource"))
        #expect(!registry.isKnownResourceType("HumanName"))
        #expect(registry.knownResourceTypes.count == 146)
    }

    @Test("search parameters of a served type")
    func searchParameters() throws {
        let registry = try TestSupport.registry.get()
        let patient = registry.searchParameters(for: "Patient")
        #expect(patient.map(\.code) == patient.map(\.code).sorted())
        let birthdate = try #require(registry.searchParameter("birthdate", for: "Patient"))
        #expect(birthdate.type == .date)
        #expect(birthdate.expression == "Patient.birthDate")
        #expect(birthdate.comparators.contains("ge"))
        let id = try #require(registry.searchParameter("_id", for: "Appointment"))
        #expect(id.expression == "Appointment.id")
        let practitioner = try #require(registry.searchParameter("general-practitioner", for: "Patient"))
        #expect(practitioner.targets == ["Organization", "Practitioner", "PractitionerRole"])
        #expect(practitioner.isChainable)
        let subject = try #require(registry.searchParameter("patient", for: "Observation"))
        #expect(subject.expression == "Observation.subject.where(resolve() is Patient)")
        let composite = try #require(registry.searchParameter("code-value-quantity", for: "Observation"))
        #expect(composite.components.map(\.code) == ["code", "value-quantity"])
        #expect(registry.searchParameter("_text", for: "Binary") == nil)
        #expect(registry.searchParameters(for: "Basic").isEmpty)
    }

    @Test("patient compartment")
    func compartment() throws {
        let registry = try TestSupport.registry.get()
        #expect(registry.patientCompartment["Appointment"] == ["actor"])
        #expect(registry.patientCompartment["Observation"]?.contains("subject") == true)
        #expect(registry.patientCompartment["Organization"] == nil)
    }

    @Test("unenforced value sets are reported")
    func unenforced() throws {
        let registry = try TestSupport.registry.get()
        #expect(registry.unenforcedValueSets["http://hl7.org/fhir/ValueSet/mimetypes"] != nil)
        let binary = try TestSupport.resource(#"{"resourceType":"Binary","contentType":"application/x-anything"}"#)
        #expect(registry.validate(binary).isEmpty)
    }

    @Test("loading from a folder without tables fails with a clear error")
    func missingTables() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("no-profiles-\(UUID())")
        do {
            _ = try ProfileRegistry.load(from: folder)
            Issue.record("loading should fail")
        } catch let error as ProfilesError {
            #expect(error.code == .fileUnreadable)
            #expect(error.location == "structures.json")
        }
    }

    @Test("the default folder is found from the repository")
    func locate() throws {
        let url = try ProfileRegistry.locateDefaultDirectory()
        #expect(FileManager.default.fileExists(atPath: url.appendingPathComponent("served.json").path))
    }
}
