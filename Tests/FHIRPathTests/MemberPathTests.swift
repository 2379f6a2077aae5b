import FHIRCore
@testable import FHIRPath
import Foundation
import Testing

/// Member paths (`Patient.name.given`, unions of them) are evaluated step by step instead of by the general
/// evaluator; both must give the same items, in the same order, with the same types.
@Suite("FHIRPath: member paths")
struct MemberPathTests {
    @Test("paths and unions of paths are member paths; anything else is not",
          arguments: [
              ("Patient.name", true), ("Observation.code.coding", true), ("Patient.name | Practitioner.name", true),
              ("name.given", true), ("(Patient.name | Patient.address) | Patient.telecom", true),
              ("Patient.name.where(use = 'official')", false), ("Observation.value as Quantity", false),
              ("Patient.name[0]", false), ("%resource.id", false), ("Patient.name.first()", false),
          ])
    func recognised(_ text: String, _ isPath: Bool) throws {
        #expect((try FHIRPathExpression(text).memberPath != nil) == isPath)
    }

    @Test("the same items as the general evaluator: type names, choice elements, primitives with extensions, unions")
    func sameAsGeneral() throws {
        let resource = try JSONParser().parse(Array("""
            {"resourceType":"Observation","id":"o","status":"final","code":{"coding":[{"system":"s","code":"1"},\
            {"system":"s","code":"1"}]},"valueQuantity":{"value":1.50,"unit":"mg"},"_status":{"extension":[{"url":"u"}]},\
            "component":[{"code":{"text":"a"},"valueString":"x"},{"code":{"text":"a"},"valueBoolean":true}],\
            "contained":[{"resourceType":"Patient","id":"p","name":[{"given":["A","B"]}]}]}
            """.utf8))
        let texts = [
            "Observation.status", "Observation.value", "Observation.component.value", "Observation.code.coding",
            "Observation.code.coding | Observation.code.coding", "Observation.component.code | Observation.code",
            "Resource.id", "DomainResource.id", "Patient.id", "status", "Observation.contained.name.given",
            "Observation.missing.path", "Observation.code.coding.code | Observation.component.code.text",
        ]
        for text in texts {
            let expression = try FHIRPathExpression(text)
            #expect(expression.memberPath != nil, "\(text)")
            let fast = try expression.evaluate(on: resource, environment: [:], byMemberPath: true)
            let general = try expression.evaluate(on: resource, environment: [:], byMemberPath: false)
            #expect(fast == general, "\(text)")
        }
    }

    @Test("the same items as the general evaluator for every search parameter expression on every official example",
          .enabled(if: SharedFHIR.available, "../shared/fhir-r4 is absent"))
    func sameOnOfficialExamples() throws {
        let golden = try SharedFHIR.goldenResults()
        var compared = 0
        var parsed: [String: FHIRPathExpression] = [:]
        for (file, expectations) in golden {
            let url = SharedFHIR.examples.appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let resource = try SharedFHIR.json(at: url)
            for text in try #require(expectations.objectValue).keys {
                let expression = try parsed[text] ?? FHIRPathExpression(text)
                parsed[text] = expression
                guard expression.memberPath != nil else { continue }
                let fast = try expression.evaluate(on: resource, environment: [:], byMemberPath: true)
                let general = try expression.evaluate(on: resource, environment: [:], byMemberPath: false)
                #expect(fast == general, "\(file) \(text)")
                compared += 1
            }
        }
        #expect(compared > 3000)
    }
}
