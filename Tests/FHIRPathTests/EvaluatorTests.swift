import FHIRCore
import FHIRPath
import Testing

@Suite("FHIRPath evaluation over FHIR JSON")
struct EvaluatorTests {
    @Test("paths, the leading type name, and a type that does not match")
    func navigation() throws {
        #expect(try Fixtures.eval("Patient.name.given") == ["Peter", "James", "Jim"].map { .string($0) })
        #expect(try Fixtures.eval("name.where(use = 'usual').given") == [.string("Jim")])
        #expect(try Fixtures.eval("Observation.status").isEmpty)
        #expect(try Fixtures.eval("Resource.id") == [.string("p1")])
        #expect(try Fixtures.eval("DomainResource.id") == [.string("p1")])
        #expect(try Fixtures.eval("Patient.name[1].given") == [.string("Jim")])
    }

    @Test("choice elements are found by their base name and typed by the suffix")
    func choiceElements() throws {
        let o = Fixtures.observation
        #expect(try Fixtures.eval("Observation.value.unit", on: o) == [.string("mg")])
        #expect(try Fixtures.eval("(Observation.value as Quantity).value", on: o) == [.number("1.50")])
        #expect(try Fixtures.values("Observation.value is Quantity", on: o) == [.boolean(true)])
        #expect(try Fixtures.eval("Observation.value.ofType(CodeableConcept)", on: o).isEmpty)
        #expect(try Fixtures.eval("Observation.component.value.as(string)", on: o) == [.string("x")])
        #expect(try Fixtures.values("Observation.effective is dateTime", on: o) == [.boolean(true)])
        #expect(try Fixtures.eval("(Observation.component.value as Quantity).value", on: o) == [.number("2")])
    }

    @Test("primitive extensions through the _element sibling, and hasValue()")
    func primitiveExtensions() throws {
        let url = "http://hl7.org/fhir/StructureDefinition/patient-birthTime"
        #expect(try Fixtures.eval("Patient.birthDate.extension('\(url)').value")
            == [.string("1974-12-25T14:35:45-05:00")])
        #expect(try Fixtures.eval("Patient.gender.id") == [.string("g")])
        #expect(try Fixtures.values("Patient.gender.hasValue()") == [.boolean(true)])
        let onlyExtension = #"{"resourceType":"Patient","_birthDate":{"extension":[{"url":"u","valueCode":"unknown"}]}}"#
        #expect(try Fixtures.values("Patient.birthDate.exists() and Patient.birthDate.hasValue().not()",
                                    on: onlyExtension) == [.boolean(true)])
    }

    @Test("resolve() types a literal or contained reference without a database")
    func resolve() throws {
        #expect(try Fixtures.eval("Patient.managingOrganization.where(resolve() is Organization).reference")
            == [.string("Organization/1")])
        #expect(try Fixtures.eval("Patient.generalPractitioner.where(resolve() is Practitioner).reference")
            == [.string("Practitioner/7"), .string("#c1")])
        #expect(try Fixtures.eval("Patient.generalPractitioner.resolve().ofType(Patient).id") == [.string("9")])
    }

    @Test("existence, subsetting and combining functions")
    func collections() throws {
        #expect(try Fixtures.values("Patient.name.exists(use = 'official')") == [.boolean(true)])
        #expect(try Fixtures.values("Patient.photo.empty()") == [.boolean(true)])
        #expect(try Fixtures.values("Patient.name.given.count()") == [.integer(3)])
        #expect(try Fixtures.values("Patient.name.given.last()") == [.string("Jim")])
        #expect(try Fixtures.values("Patient.name.given.tail().first()") == [.string("James")])
        #expect(try Fixtures.values("(1 | 1 | 2).count() = 2 and (1).combine(1).distinct().count() = 1") == [.boolean(true)])
        #expect(try Fixtures.values("Patient.telecom.all(value.exists())") == [.boolean(true)])
        #expect(try Fixtures.values("Patient.telecom.select(system)") == [.string("phone"), .string("email")])
        #expect(try Fixtures.values("iif(Patient.active, 'yes', 'no')") == [.string("yes")])
        #expect(try Fixtures.values("{}.exists().not()") == [.boolean(true)])
        #expect(throws: FHIRPathError.self) { try Fixtures.values("Patient.name.memberOf('http://x')") }
    }

    @Test("string functions")
    func strings() throws {
        #expect(try Fixtures.values("'Peter'.startsWith('Pe') and 'Peter'.endsWith('er')") == [.boolean(true)])
        #expect(try Fixtures.values("'abcdef'.substring(2, 3)") == [.string("cde")])
        #expect(try Fixtures.values("'abc'.indexOf('c')") == [.integer(2)])
        #expect(try Fixtures.values("'ab'.upper() + 'CD'.lower()") == [.string("ABcd")])
        #expect(try Fixtures.values("'2020-01'.matches('^[0-9]{4}-[0-9]{2}$')") == [.boolean(true)])
        #expect(try Fixtures.values("'a.b.c'.replace('.', '/')") == [.string("a/b/c")])
        #expect(try Fixtures.values("'héllo'.length()") == [.integer(5)])
        #expect(try Fixtures.values("12.toString() & '3'.toInteger().toString()") == [.string("123")])
        #expect(try Fixtures.values("'a' & {}") == [.string("a")])
    }
}
