import FHIRCore
import FHIRProfiles
import Testing

@Suite("Primitive values")
struct PrimitiveValueTests {
    /// A primitive value of `type` written as JSON `value`, and whether it is valid.
    struct Case: Sendable, CustomStringConvertible {
        let type: String
        let value: String
        let valid: Bool
        var description: String { "\(type) \(value) \(valid ? "valid" : "invalid")" }
    }

    static let cases: [Case] = [
        Case(type: "DateTime", value: #""2020""#, valid: true),
        Case(type: "DateTime", value: #""2020-02-29T23:59:60.123+14:00""#, valid: true),
        Case(type: "DateTime", value: #""2019-02-29""#, valid: false),
        Case(type: "DateTime", value: #""2020-01-01T10:00:00""#, valid: false),
        Case(type: "DateTime", value: #""2020-01-01T10:00Z""#, valid: false),
        Case(type: "DateTime", value: #""2020-01-01T10:00:00+14:30""#, valid: false),
        Case(type: "Instant", value: #""2020-01-01T10:00:00.5Z""#, valid: true),
        Case(type: "Instant", value: #""2020-01-01""#, valid: false),
        Case(type: "Time", value: #""23:59:59""#, valid: true),
        Case(type: "Time", value: #""24:00:00""#, valid: false),
        Case(type: "Date", value: #""0000""#, valid: false),
        Case(type: "Integer", value: "-2147483648", valid: true),
        Case(type: "Integer", value: "2147483648", valid: false),
        Case(type: "Integer", value: "1e2", valid: false),
        Case(type: "PositiveInt", value: "0", valid: false),
        Case(type: "UnsignedInt", value: "0", valid: true),
        Case(type: "UnsignedInt", value: "-1", valid: false),
        Case(type: "Decimal", value: "1.50", valid: true),
        Case(type: "Decimal", value: #""1.5""#, valid: false),
        Case(type: "Boolean", value: "false", valid: true),
        Case(type: "Boolean", value: #""false""#, valid: false),
        Case(type: "Code", value: #""a b""#, valid: true),
        Case(type: "Code", value: #""a  b""#, valid: false),
        Case(type: "Code", value: #""a ""#, valid: false),
        Case(type: "Id", value: #""a.b-C9""#, valid: true),
        Case(type: "Id", value: #""a_b""#, valid: false),
        Case(type: "Uri", value: #""urn:x:y""#, valid: true),
        Case(type: "Uri", value: #""""#, valid: false),
        Case(type: "Oid", value: #""urn:oid:1.2.840.10008""#, valid: true),
        Case(type: "Oid", value: #""urn:oid:1.02""#, valid: false),
        Case(type: "Uuid", value: #""urn:uuid:c757873d-ec9a-4326-a141-556f43239520""#, valid: true),
        Case(type: "Uuid", value: #""urn:uuid:C757873D-EC9A-4326-A141-556F43239520""#, valid: false),
        Case(type: "Base64Binary", value: #""aGVsbG8=""#, valid: true),
        Case(type: "Base64Binary", value: #""aGVsbG8""#, valid: false),
        Case(type: "String", value: #""tab\tnew line\n""#, valid: true),
        Case(type: "String", value: #""bell\u0007""#, valid: false),
        Case(type: "Markdown", value: #""**x**""#, valid: true),
    ]

    @Test("primitive values follow their type's rules", arguments: cases)
    func primitive(_ sample: Case) throws {
        let registry = try TestSupport.registry.get()
        let json = #"{"resourceType":"Basic","code":{"text":"x"},"extension":[{"url":"http://x","value"#
            + sample.type + #"":"# + sample.value + "}]}"
        let issues = registry.validate(try TestSupport.resource(json)).map(\.summary)
        if sample.valid {
            #expect(issues.isEmpty)
        } else {
            let summaries = ["value@Basic.extension[0].value\(sample.type)", "structure@Basic.extension[0].value\(sample.type)"]
            #expect(issues.count == 1 && summaries.contains(issues[0]), "\(issues)")
        }
    }
}
