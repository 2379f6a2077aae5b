import FHIRCore
import FHIRProfiles
import Testing

@Suite("Extensions, primitive siblings, contained resources and bundles")
struct ExtensionAndContainedTests {
    private func issues(_ json: String) throws -> [String] {
        let registry = try TestSupport.registry.get()
        return registry.validate(try TestSupport.resource(json)).map(\.summary).sorted()
    }

    @Test("extensions need a url and exactly one of value[x] or nested extensions")
    func extensions() throws {
        #expect(try issues(#"{"resourceType":"Patient","extension":[{"url":"http://x","valueString":"a"}]}"#).isEmpty)
        #expect(try issues(#"{"resourceType":"Patient","extension":[{"valueString":"a"}]}"#)
            == ["required@Patient.extension[0].url"])
        #expect(try issues(#"{"resourceType":"Patient","extension":[{"url":"http://x","valueString":"a","valueCode":"b"}]}"#)
            == ["structure@Patient.extension[0].valueCode"])
        #expect(try issues(#"{"resourceType":"Patient","extension":[{"url":"http://x"}]}"#)
            == ["invariant@Patient.extension[0]"])
        #expect(try issues(#"{"resourceType":"Patient","extension":[{"url":"http://x","valueFoo":"a"}]}"#)
            == ["invariant@Patient.extension[0]", "structure@Patient.extension[0].valueFoo"])
        #expect(try issues(#"{"resourceType":"Patient","modifierExtension":{"url":"http://x","valueString":"a"}}"#)
            == ["structure@Patient.modifierExtension"])
    }

    @Test("primitive extension siblings")
    func primitiveSiblings() throws {
        let ext = #"{"extension":[{"url":"http://x","valueString":"a"}]}"#
        #expect(try issues(#"{"resourceType":"Patient","_birthDate":\#(ext)}"#).isEmpty)
        #expect(try issues(#"{"resourceType":"Patient","birthDate":"1970","_birthDate":\#(ext)}"#).isEmpty)
        #expect(try issues(#"{"resourceType":"Patient","name":[{"given":["A",null],"_given":[null,\#(ext)]}]}"#).isEmpty)
        #expect(try issues(#"{"resourceType":"Patient","name":[{"given":["A",null]}]}"#)
            == ["structure@Patient.name[0].given[1]"])
        #expect(try issues(#"{"resourceType":"Patient","name":[{"given":["A","B"],"_given":[\#(ext)]}]}"#)
            == ["structure@Patient.name[0].given"])
        #expect(try issues(#"{"resourceType":"Patient","_birthDate":[\#(ext)]}"#) == ["structure@Patient.birthDate"])
        #expect(try issues(#"{"resourceType":"Patient","_birthDate":{"extension":[{"valueString":"a"}]}}"#)
            == ["required@Patient.birthDate.extension[0].url"])
        #expect(try issues(#"{"resourceType":"Patient","_name":\#(ext)}"#) == ["structure@Patient._name"])
    }

    @Test("contained resources are validated by their own type")
    func contained() throws {
        let valid = #"{"resourceType":"Observation","status":"final","code":{"text":"x"},"#
            + ##""contained":[{"resourceType":"Practitioner","id":"p","name":[{"family":"Who"}]}],"performer":[{"reference":"#p"}]}"##
        #expect(try issues(valid).isEmpty)
        let invalid = #"{"resourceType":"Observation","status":"final","code":{"text":"x"},"#
            + #""contained":[{"resourceType":"Practitioner","id":"p","gender":"robot"},{"resourceType":"Nobody"},{"id":"q"}]}"#
        #expect(try issues(invalid) == [
            "code-invalid@Observation.contained[0].gender", "invalid@Observation.contained[1].resourceType",
            "required@Observation.contained[2].resourceType",
        ])
        let nested = #"{"resourceType":"Patient","contained":[{"resourceType":"Patient","contained":[{"resourceType":"Patient"}]}]}"#
        #expect(try issues(nested) == ["invariant@Patient.contained[0].contained"])
    }

    @Test("bundle entries are validated by their own type")
    func bundleEntries() throws {
        let bundle = #"{"resourceType":"Bundle","type":"transaction","entry":["#
            + #"{"resource":{"resourceType":"Patient","birthDate":"today"},"request":{"method":"POST","url":"Patient"}},"#
            + #"{"resource":{"resourceType":"Appointment","status":"booked","participant":[{"status":"accepted"}]},"#
            + #""request":{"method":"PUT","url":"Appointment/1"}},"#
            + #"{"resource":{"resourceType":"Basic","code":{"text":"x"}},"request":{"method":"FETCH","url":"Basic"}}]}"#
        #expect(try issues(bundle) == ["code-invalid@Bundle.entry[2].request.method", "value@Bundle.entry[0].resource.birthDate"])
    }

    @Test("narrative div must be xhtml")
    func narrative() throws {
        #expect(try issues(#"{"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"}}"#).isEmpty)
        #expect(try issues(#"{"resourceType":"Patient","text":{"status":"generated","div":"plain"}}"#) == ["value@Patient.text.div"])
        #expect(try issues(#"{"resourceType":"Patient","text":{"status":"generated"}}"#) == ["required@Patient.text.div"])
    }
}
