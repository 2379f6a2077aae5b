import FHIRCore
@testable import Mapping
import Testing

@Suite struct ConverterTests {
    let converter: ValueConverter

    init() throws {
        let set = try MappingTestSupport.mappings.get()
        converter = ValueConverter(terminology: set.terminology, fallbackSystem: "urn:carebridge:id:SENDER")
    }

    /// A V2 value from ER7 text with `^` and `&`.
    func value(_ text: String) -> V2Value {
        V2Value(parts: text.split(separator: "^", omittingEmptySubsequences: false).map {
            $0.split(separator: "&", omittingEmptySubsequences: false).map(String.init)
        })
    }

    func convert(_ text: String, _ kind: Converter, _ options: ConversionOptions = ConversionOptions()) throws -> String? {
        try converter.convert(value(text), kind, options).map { JSONWriter.string($0) }
    }

    @Test func identifierSystemFollowsTheAssigningAuthority() throws {
        #expect(try convert("123^^^HOSP&1.2.3.4&ISO^MR", .identifierCX)
            == #"{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR","display":"Medical record number"}]},"system":"urn:oid:1.2.3.4","value":"123"}"#)
        #expect(try convert("123^^^Main Hospital", .systemCX) == #""urn:carebridge:id:Main%20Hospital""#)
        #expect(try convert("123^^^&http://example.org/mrn&URI", .systemCX) == #""http://example.org/mrn""#)
        #expect(try convert("123", .systemCX) == #""urn:carebridge:id:SENDER""#)
        #expect(try convert("A-1^LAB^2.16.840.1^ISO", .systemEI) == #""urn:oid:2.16.840.1""#)
    }

    @Test("OIDs are two or more dot-separated runs of ASCII digits",
          arguments: [("1.2", true), ("2.16.840.1.113883.3.72", true), ("", false), ("12", false), ("1.", false), (".1", false),
                      ("1..2", false), ("1.2a", false), ("1.٢", false), ("1.2 ", false)])
    func oids(_ text: String, _ isOID: Bool) {
        #expect(Terminology.isOID(text) == isOID)
    }

    @Test("search values escape backslash, bar, comma and dollar, then percent-encode all but unreserved, : and /")
    func searchEscaping() {
        #expect(TransactionBuilder.searchEscaped("urn:oid:1.2.3") == "urn:oid:1.2.3")
        #expect(TransactionBuilder.searchEscaped("a|b,c$d\\e") == "a%5C%7Cb%5C%2Cc%5C%24d%5C%5Ce")
        #expect(TransactionBuilder.searchEscaped("Main Hospital é") == "Main%20Hospital%20%C3%A9")
    }

    @Test func contactPointsFromXTN() throws {
        #expect(try convert("^PRN^PH^^1^217^5550143^7", .contactPoint) == #"{"system":"phone","value":"+1 217 5550143 x7","use":"home"}"#)
        #expect(try convert("^NET^Internet^a@example.org", .contactPoint) == #"{"system":"email","value":"a@example.org"}"#)
        #expect(try convert("^PRN^CP^^^^5550100", .contactPoint) == #"{"system":"phone","value":"5550100","use":"mobile"}"#)
        #expect(try convert("(555)555-0100^WPN^FX", .contactPoint) == #"{"system":"fax","value":"(555)555-0100","use":"work"}"#)
    }

    @Test func namesAndAddresses() throws {
        #expect(try convert("Doe^John^Q^III^Dr^^L", .humanName)
            == #"{"use":"official","family":"Doe","given":["John","Q"],"prefix":["Dr"],"suffix":["III"]}"#)
        #expect(try convert("1 Main St&Main St&1^Unit 2^Town^ST^12345^USA^M", .address)
            == #"{"type":"postal","line":["1 Main St","Unit 2"],"city":"Town","state":"ST","postalCode":"12345","country":"USA"}"#)
        #expect(try convert("^^^^^^H", .address) == nil)
    }

    @Test func codesThroughTables() throws {
        let sex = ConversionOptions(table: converter.terminology.tables["0001"])
        #expect(try convert("F", .code, sex) == #""female""#)
        #expect(try convert("X", .code, sex) == nil)
        let patientClass = ConversionOptions(table: converter.terminology.tables["0004"])
        #expect(try convert("E", .coding, patientClass)
            == #"{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"EMER","display":"emergency"}"#)
        #expect(try convert("718-7^Hemoglobin^LN^HGB^Hgb^L^^^Hemoglobin, blood", .codeableConcept)
            == #"{"coding":[{"system":"http://loinc.org","code":"718-7","display":"Hemoglobin"},{"system":"urn:carebridge:codesystem:L","code":"HGB","display":"Hgb"}],"text":"Hemoglobin, blood"}"#)
        #expect(try convert("^Free text only", .codeableConcept) == #"{"text":"Free text only"}"#)
        let override = ConversionOptions(table: converter.terminology.tables["0085"], inlineMap: ["R": "preliminary"])
        #expect(try convert("R", .code, override) == #""preliminary""#)
        #expect(try convert("F", .code, override) == #""final""#)
    }

    @Test func numbersRangesAndAttachments() throws {
        let units = ConversionOptions(unit: value("mg/dL^milligram per deciliter^UCUM"))
        #expect(try convert("1.50", .quantity, units)
            == #"{"value":1.50,"unit":"milligram per deciliter","system":"http://unitsofmeasure.org","code":"mg/dL"}"#)
        #expect(try convert(">=^10", .structuredNumeric) == #"{"value":10,"comparator":">="}"#)
        #expect(try convert("^1^:^128", .structuredNumeric) == nil)
        #expect(try convert("^1^:^128", .structuredNumericText) == #""1:128""#)
        #expect(try convert("3.5-5.0", .referenceRange) == #"{"low":{"value":3.5},"high":{"value":5.0}}"#)
        #expect(try convert("<200", .referenceRange) == #"{"high":{"value":200}}"#)
        #expect(try convert("negative", .referenceRange) == #"{"text":"negative"}"#)
        #expect(try convert("APP^AP^PDF^Base64^JVBERi0=", .attachment) == #"{"contentType":"application/pdf","data":"JVBERi0="}"#)
        #expect(try convert("APP^TEXT^^A^hello", .attachment) == #"{"contentType":"text/plain","data":"aGVsbG8="}"#)
        #expect(throws: ConversionFailure.self) { try convert("APP^AP^PDF^Base64^not base64!", .attachment) }
        #expect(try convert("42.50&USD", .money) == #"{"value":42.50,"currency":"USD"}"#)
        #expect(try convert("12", .integer) == "12")
        #expect(try convert("Y", .boolean) == "true")
    }
}
