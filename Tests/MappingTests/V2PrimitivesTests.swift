@testable import Mapping
import Testing

@Suite struct V2PrimitivesTests {
    @Test(arguments: [
        ("2026", "2026"),
        ("202603", "2026-03"),
        ("20260314", "2026-03-14"),
        ("20260314-0500", "2026-03-14"),
        ("202603141230-0500", "2026-03-14T12:30:00-05:00"),
        ("20260314123045+0100", "2026-03-14T12:30:45+01:00"),
        ("20260314123045.1234+0000", "2026-03-14T12:30:45.1234+00:00"),
        ("2026031412", "2026-03-14T12:00:00Z"),
        ("20240229", "2024-02-29"),
    ])
    func dateTimeKeepsPrecisionAndOffset(_ input: String, _ expected: String) throws {
        #expect(try V2Primitives.dateTime(input, defaultOffset: "Z") == expected)
    }

    @Test func timeWithoutOffsetGetsTheConfiguredOne() throws {
        #expect(try V2Primitives.dateTime("202603141230", defaultOffset: "-05:00") == "2026-03-14T12:30:00-05:00")
    }

    @Test(arguments: ["20250229", "202613", "20260314256000", "2026031412-05", "Aug 15, 1942", "20260314+2500", "0000"])
    func invalidDatesAreRefused(_ input: String) {
        #expect(throws: ConversionFailure.self) { try V2Primitives.dateTime(input, defaultOffset: "Z") }
    }

    @Test func dateDropsTheTime() throws {
        #expect(try V2Primitives.date("198107221430") == "1981-07-22")
    }

    @Test(arguments: [("+007.50", "7.50"), (".5", "0.5"), ("-12", "-12"), ("0", "0"), ("-0.0", "0.0"), ("1000", "1000")])
    func decimalsKeepTheirDigits(_ input: String, _ expected: String) throws {
        #expect(try V2Primitives.decimal(input) == expected)
    }

    @Test(arguments: ["", "abc", "1.2.3", "1,5", "5.", "--1"])
    func nonNumbersAreRefused(_ input: String) {
        #expect(throws: ConversionFailure.self) { try V2Primitives.decimal(input) }
    }
}
