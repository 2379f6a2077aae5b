import FHIRCore
import Foundation
import Testing

private func resource(_ text: String) throws(FHIRCoreError) -> FHIRResource {
    try FHIRResource(parsing: Array(text.utf8))
}

@Suite("FHIR resources")
struct FHIRResourceTests {
    @Test(
        "valid ids: 1 to 64 of A-Z a-z 0-9 - .",
        arguments: ["a", "123", "Patient-1.2", "ABC-xyz.09", "-", ".", String(repeating: "x", count: 64)]
    )
    func validIDs(_ id: String) {
        #expect(FHIRResource.isValidID(id))
    }

    @Test(
        "invalid ids",
        arguments: [
            "", String(repeating: "x", count: 65), "a_b", "a/b", "a b", " a", "a\n", "é", "a|b", "a?b", "a#b", "😀",
            "urn:uuid:1",
        ]
    )
    func invalidIDs(_ id: String) {
        #expect(!FHIRResource.isValidID(id))
    }

    @Test("new ids are version 4 UUIDs in lower case, valid FHIR ids, read by Foundation as the same UUID, never repeated")
    func newIDs() {
        let ids = (0..<10_000).map { _ in FHIRResource.newID() }
        #expect(Set(ids).count == ids.count)
        for id in ids.prefix(100) {
            #expect(FHIRResource.isValidID(id) && id.utf8.count == 36)
            #expect(UUID(uuidString: id)?.uuidString.lowercased() == id)
            let characters = Array(id)
            #expect(characters[14] == "4", "version 4")
            #expect("89ab".contains(characters[19]), "RFC 4122 variant")
        }
    }

    @Test("parsing reads resourceType, id, versionId and lastUpdated")
    func accessors() throws {
        let patient = try resource(
            #"{"resourceType":"Patient","id":"p1","meta":{"versionId":"3","lastUpdated":"2024-01-01T00:00:00Z"}}"#
        )
        #expect(patient.resourceType == "Patient")
        #expect(patient.id == "p1")
        #expect(patient.versionId == "3")
        #expect(patient.lastUpdated == "2024-01-01T00:00:00Z")
    }

    @Test(
        "parsing refuses what is not a resource",
        arguments: [#"[]"#, #""Patient""#, #"{}"#, #"{"resourceType":1}"#, #"{"resourceType":null}"#, "null"]
    )
    func notAResource(_ text: String) {
        do {
            _ = try resource(text)
            Issue.record("\(text) was accepted as a resource")
        } catch {
            #expect(error.code == .invalidResource)
        }
    }

    @Test("setting the id keeps it just after resourceType; clearing removes it")
    func idPlacement() throws {
        var patient = try resource(#"{"resourceType":"Patient","active":true,"name":[{"family":"Doe"}]}"#)
        patient.id = "new"
        #expect(patient.json.keys == ["resourceType", "id", "active", "name"])
        patient.id = "again"
        #expect(patient.json.keys == ["resourceType", "id", "active", "name"])
        #expect(patient.id == "again")
        patient.id = nil
        #expect(patient.json.keys == ["resourceType", "active", "name"])
    }

    @Test("stamp sets versionId and lastUpdated first in meta and keeps tags, profiles and security")
    func stampKeepsMeta() throws {
        var observation = try resource(
            #"""
            {"resourceType":"Observation","id":"o1","status":"final","meta":{"profile":["http://example.org/p"],\#
            "tag":[{"system":"http://example.org/t","code":"x"}],"versionId":"old","security":[{"code":"R"}]}}
            """#
        )
        observation.stamp(versionId: "7", lastUpdated: "2026-01-02T03:04:05.678Z")
        #expect(observation.json.keys == ["resourceType", "id", "meta", "status"])
        #expect(observation.versionId == "7")
        #expect(observation.lastUpdated == "2026-01-02T03:04:05.678Z")
        let meta = try #require(observation.json["meta"]?.objectValue)
        #expect(meta.keys == ["versionId", "lastUpdated", "profile", "tag", "security"])
        #expect(meta["profile"] == .array([.string("http://example.org/p")]))
        #expect(meta["tag"]?.arrayValue?.first?["code"] == .string("x"))
        #expect(
            String(decoding: observation.bytes, as: UTF8.self)
                == #"{"resourceType":"Observation","id":"o1","meta":{"versionId":"7","lastUpdated":"2026-01-02T03:04:05.678Z","#
                + #""profile":["http://example.org/p"],"tag":[{"system":"http://example.org/t","code":"x"}],"#
                + #""security":[{"code":"R"}]},"status":"final"}"#
        )
    }

    @Test("stamp on a resource without id or meta puts meta right after resourceType")
    func stampWithoutID() throws {
        var patient = try resource(#"{"resourceType":"Patient","active":true}"#)
        patient.stamp(versionId: "1", lastUpdated: "2026-01-01T00:00:00.000Z")
        #expect(patient.json.keys == ["resourceType", "meta", "active"])
        patient.id = "p"
        #expect(patient.json.keys == ["resourceType", "id", "meta", "active"])
        patient.stamp(versionId: "2", lastUpdated: "2026-01-01T00:00:01.000Z")
        #expect(patient.json.keys == ["resourceType", "id", "meta", "active"])
        #expect(patient.json["meta"]?.objectValue?.keys == ["versionId", "lastUpdated"])
    }

    @Test("decimals in a resource keep their text through parse and write")
    func decimalsKept() throws {
        let text = #"{"resourceType":"Observation","valueQuantity":{"value":1.50,"unit":"mmol/L"},"extension":[{"valueDecimal":0.10}]}"#
        #expect(String(decoding: try resource(text).bytes, as: UTF8.self) == text)
    }

    @Test("an OperationOutcome is a resource with its issues in order")
    func operationOutcome() throws {
        let outcome = OperationOutcome(issues: [
            .init(code: "invalid", diagnostics: "bad", expression: ["Patient.birthDate"]),
            .init(severity: "warning", code: "informational", diagnostics: "note"),
        ])
        #expect(outcome.hasErrors)
        #expect(!OperationOutcome(severity: "warning", code: "x", diagnostics: "y").hasErrors)
        let text = String(decoding: outcome.resource.bytes, as: UTF8.self)
        #expect(
            text == #"{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","diagnostics":"bad","#
                + #""expression":["Patient.birthDate"]},{"severity":"warning","code":"informational","diagnostics":"note"}]}"#
        )
    }
}
