import FHIRCore
import FHIRPath

/// A small Patient/Observation pair used by the hand-written tests.
enum Fixtures {
    static let patient = """
        {"resourceType":"Patient","id":"p1","meta":{"lastUpdated":"2020-01-02T10:00:00Z"},
         "active":true,"gender":"female","birthDate":"1974-12-25",
         "_birthDate":{"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthTime",
           "valueDateTime":"1974-12-25T14:35:45-05:00"}]},
         "name":[{"use":"official","family":"Chalmers","given":["Peter","James"]},
                 {"use":"usual","given":["Jim"]}],
         "_gender":{"id":"g"},
         "telecom":[{"system":"phone","value":"555"},{"system":"email","value":"p@example.org"}],
         "managingOrganization":{"reference":"Organization/1"},
         "generalPractitioner":[{"reference":"Practitioner/7"},{"reference":"#c1"},{"reference":"http://x.org/fhir/Patient/9/_history/2"}],
         "contained":[{"resourceType":"Practitioner","id":"c1"}]}
        """
    static let observation = """
        {"resourceType":"Observation","id":"o1","status":"final",
         "valueQuantity":{"value":1.50,"unit":"mg","system":"http://unitsofmeasure.org","code":"mg"},
         "effectiveDateTime":"2020-03-01T10:00:00+01:00",
         "component":[{"code":{"text":"a"},"valueString":"x"},{"code":{"text":"b"},"valueQuantity":{"value":2,"code":"g"}}]}
        """

    static func json(_ text: String) throws -> JSONValue { try JSONParser().parse(text) }

    /// Evaluates `expression` on `resource` (JSON text) and returns the items in JSON form.
    static func eval(_ expression: String, on resource: String = patient) throws -> [JSONValue] {
        try FHIRPathExpression(expression).evaluate(on: json(resource)).map(\.json)
    }

    /// Evaluates to system values (`Boolean`, `String`...) for operator tests.
    static func values(_ expression: String, on resource: String = patient) throws -> [FHIRPathValue] {
        try FHIRPathExpression(expression).evaluate(on: json(resource)).compactMap(\.systemValue)
    }
}
