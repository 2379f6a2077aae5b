import FHIRCore
import FHIRProfiles
import Testing

@Suite("Validation of invalid resources")
struct InvalidResourceTests {
    /// The issues of validating `json`, as sorted `code@expression` strings.
    private func issues(_ json: String) throws -> [String] {
        let registry = try TestSupport.registry.get()
        return registry.validate(try TestSupport.resource(json)).map(\.summary).sorted()
    }

    @Test("a minimal valid resource has no issues")
    func minimalValid() throws {
        #expect(try issues(#"{"resourceType":"Patient","id":"p-1","active":true,"birthDate":"1970-01"}"#).isEmpty)
        #expect(try issues(#"{"resourceType":"Appointment","status":"booked","participant":[{"status":"accepted"}]}"#).isEmpty)
    }

    @Test("unknown elements, including choice elements with a wrong type suffix")
    func unknownElements() throws {
        #expect(try issues(#"{"resourceType":"Patient","nickname":"Bob"}"#) == ["structure@Patient.nickname"])
        #expect(try issues(#"{"resourceType":"Patient","deceasedString":"yes"}"#) == ["structure@Patient.deceasedString"])
        #expect(try issues(#"{"resourceType":"Patient","name":[{"first":"A"}]}"#) == ["structure@Patient.name[0].first"])
        #expect(try issues(#"{"resourceType":"Patient","_active":{"extension":[{"url":"u","valueBoolean":true}]},"_name":{}}"#)
            == ["structure@Patient._name"])
    }

    @Test("wrong JSON kinds")
    func wrongKinds() throws {
        #expect(try issues(#"{"resourceType":"Patient","active":"true"}"#) == ["structure@Patient.active"])
        #expect(try issues(#"{"resourceType":"Patient","birthDate":19700101}"#) == ["structure@Patient.birthDate"])
        #expect(try issues(#"{"resourceType":"Patient","name":["Smith"]}"#) == ["structure@Patient.name[0]"])
    }

    @Test("bad primitive values")
    func badValues() throws {
        #expect(try issues(#"{"resourceType":"Patient","birthDate":"1990-02-30"}"#) == ["value@Patient.birthDate"])
        #expect(try issues(#"{"resourceType":"Patient","birthDate":"1990-1-3"}"#) == ["value@Patient.birthDate"])
        #expect(try issues(#"{"resourceType":"Patient","multipleBirthInteger":1.5}"#) == ["value@Patient.multipleBirthInteger"])
        #expect(try issues(#"{"resourceType":"Patient","multipleBirthInteger":3000000000}"#)
            == ["value@Patient.multipleBirthInteger"])
        #expect(try issues(#"{"resourceType":"Patient","gender":" male"}"#) == ["value@Patient.gender"])
        #expect(try issues(#"{"resourceType":"Patient","implicitRules":"http://a b"}"#) == ["value@Patient.implicitRules"])
        #expect(try issues(#"{"resourceType":"Patient","meta":{"lastUpdated":"2020-01-01T10:00:00"}}"#)
            == ["value@Patient.meta.lastUpdated"])
        #expect(try issues(#"{"resourceType":"Patient","photo":[{"data":"abc"}]}"#) == ["value@Patient.photo[0].data"])
        #expect(try issues(#"{"resourceType":"Slot","schedule":{"reference":"Schedule/1"},"status":"free","start":"2020-01-01","end":"2020-01-01T10:00:00Z"}"#)
            == ["value@Slot.start"])
    }

    @Test("empty strings, objects and arrays are not allowed")
    func emptyValues() throws {
        #expect(try issues(#"{"resourceType":"Patient","name":[{"given":["A",""]}]}"#) == ["value@Patient.name[0].given[1]"])
        #expect(try issues(#"{"resourceType":"Patient","name":[]}"#) == ["structure@Patient.name"])
        #expect(try issues(#"{"resourceType":"Patient","maritalStatus":{}}"#) == ["structure@Patient.maritalStatus"])
    }

    @Test("arrays where one value is allowed, single values where the element repeats")
    func arrayVersusSingle() throws {
        #expect(try issues(#"{"resourceType":"Patient","gender":["male"]}"#) == ["structure@Patient.gender"])
        #expect(try issues(#"{"resourceType":"Patient","name":{"family":"Smith"}}"#) == ["structure@Patient.name"])
        #expect(try issues(#"{"resourceType":"Patient","name":[{"given":"Ann"}]}"#) == ["structure@Patient.name[0].given"])
    }

    @Test("missing required elements")
    func missingRequired() throws {
        #expect(try issues(#"{"resourceType":"Appointment","participant":[{"status":"accepted"}]}"#)
            == ["required@Appointment.status"])
        #expect(try issues(#"{"resourceType":"Appointment","status":"booked","participant":[{"type":[{"text":"x"}]}]}"#)
            == ["required@Appointment.participant[0].status"])
        #expect(try issues(#"{"resourceType":"Observation","status":"final"}"#) == ["required@Observation.code"])
    }

    @Test("codes outside a required value set")
    func requiredBindings() throws {
        #expect(try issues(#"{"resourceType":"Appointment","status":"later","participant":[{"status":"accepted"}]}"#)
            == ["code-invalid@Appointment.status"])
        let coding = #"{"resourceType":"Patient","communication":[{"language":{"text":"x"}}],"#
            + #""link":[{"other":{"reference":"Patient/2"},"type":"sibling"}]}"#
        #expect(try issues(coding) == ["code-invalid@Patient.link[0].type"])
        let codeableConcept = #"{"resourceType":"AllergyIntolerance","patient":{"reference":"Patient/1"},"#
            + #""clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"gone"}]}}"#
        #expect(try issues(codeableConcept) == ["code-invalid@AllergyIntolerance.clinicalStatus.coding[0].code"])
        let otherSystem = #"{"resourceType":"AllergyIntolerance","patient":{"reference":"Patient/1"},"#
            + #""clinicalStatus":{"coding":[{"system":"http://example.org","code":"gone"}]}}"#
        #expect(try issues(otherSystem).isEmpty)
    }

    @Test("resource ids and types")
    func idsAndTypes() throws {
        #expect(try issues(#"{"resourceType":"Patient","id":"a b"}"#) == ["value@Patient.id"])
        #expect(try issues(#"{"resourceType":"Patient","id":"\#(String(repeating: "a", count: 65))"}"#) == ["value@Patient.id"])
        #expect(try issues(#"{"resourceType":"Patient","id":7}"#) == ["structure@Patient.id"])
        #expect(try issues(#"{"resourceType":"Pateint"}"#) == ["invalid@Pateint.resourceType"])
        #expect(try issues(#"{"resourceType":"DomainResource"}"#) == ["invalid@DomainResource.resourceType"])
    }
}
