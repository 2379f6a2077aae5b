import FHIRPath
import Testing

/// `FHIRPathExpression.topLevelElements(ofResourceType:)`: which top-level elements a search parameter's results
/// can come from, told from the expression's form alone.
@Suite("Top-level elements an expression reaches")
struct TopLevelElementsTests {
    func elements(_ text: String, on type: String = "Observation") throws -> Set<String>? {
        try FHIRPathExpression(text).topLevelElements(ofResourceType: type)
    }

    @Test("Paths and their unions reach their first elements; paths from other resource types reach nothing")
    func paths() throws {
        #expect(try elements("Observation.code | Observation.component.code") == ["code", "component"])
        #expect(try elements("AllergyIntolerance.patient | Observation.subject | Procedure.subject") == ["subject"])
        #expect(try elements("AllergyIntolerance.patient | CarePlan.subject") == [])
        #expect(try elements("Resource.meta.tag") == ["meta"])
        #expect(try elements("status") == ["status"])
    }

    @Test("Casts, indexers and subsetting functions stay within their input")
    func subsets() throws {
        #expect(try elements("Observation.subject.where(resolve() is Patient)") == ["subject"])
        #expect(try elements("(Observation.value as Quantity) | (Observation.value as SampledData)") == ["value"])
        #expect(try elements("Observation.component.value.ofType(CodeableConcept).first()") == ["component"])
        #expect(try elements("Observation.identifier[0]") == ["identifier"])
        #expect(try elements("Observation.extension('http://example.org/x').value") == ["extension"])
        #expect(try elements("Observation.component.extension('http://example.org/x')") == ["component"])
    }

    @Test("Expressions that can find something without their input, or leave the resource, do not tell")
    func unknown() throws {
        #expect(try elements("Observation.code.exists()") == nil)
        #expect(try elements("Observation.subject.resolve()") == nil)
        #expect(try elements("%resource.code") == nil)
        #expect(try elements("Observation.code | 'x'") == nil)
        #expect(try elements("Observation.where(status = 'final').code") == nil)
        #expect(try elements("Observation.status = 'final'") == nil)
    }
}
