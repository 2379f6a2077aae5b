import FHIRCore
import Foundation
import Testing

/// Seconds since 1970 of `date` (compared with a tolerance well under the finest precision tested).
private func seconds(_ date: Date) -> Double { date.timeIntervalSince1970 }

/// One valid value with the parts it should parse into.
struct ParsedDateTime: Sendable, CustomTestStringConvertible {
    let text: String
    let precision: FHIRDateTime.Precision
    let parts: [Int?]  // year, month, day, hour, minute, second
    let fraction: String?
    let offset: Int?

    var testDescription: String { text }
}

@Suite("FHIR date, dateTime and instant values")
struct FHIRDateTimeTests {
    @Test(
        "valid values keep their precision, parts and offset",
        arguments: [
            ParsedDateTime(text: "2024", precision: .year, parts: [2024, nil, nil, nil, nil, nil], fraction: nil, offset: nil),
            ParsedDateTime(text: "0001", precision: .year, parts: [1, nil, nil, nil, nil, nil], fraction: nil, offset: nil),
            ParsedDateTime(text: "2024-02", precision: .month, parts: [2024, 2, nil, nil, nil, nil], fraction: nil, offset: nil),
            ParsedDateTime(text: "2024-02-29", precision: .day, parts: [2024, 2, 29, nil, nil, nil], fraction: nil, offset: nil),
            ParsedDateTime(text: "2000-02-29", precision: .day, parts: [2000, 2, 29, nil, nil, nil], fraction: nil, offset: nil),
            ParsedDateTime(text: "2024-04-30", precision: .day, parts: [2024, 4, 30, nil, nil, nil], fraction: nil, offset: nil),
            ParsedDateTime(
                text: "2024-01-15T10:30Z", precision: .minute, parts: [2024, 1, 15, 10, 30, nil], fraction: nil, offset: 0
            ),
            ParsedDateTime(
                text: "2024-01-15T23:59:59+02:00", precision: .second, parts: [2024, 1, 15, 23, 59, 59], fraction: nil,
                offset: 120
            ),
            ParsedDateTime(
                text: "2024-01-15T00:00:00-05:30", precision: .second, parts: [2024, 1, 15, 0, 0, 0], fraction: nil,
                offset: -330
            ),
            ParsedDateTime(
                text: "2024-01-15T10:30:05.123Z", precision: .fraction, parts: [2024, 1, 15, 10, 30, 5], fraction: "123",
                offset: 0
            ),
            ParsedDateTime(
                text: "2024-01-15T10:30:05.000000001+14:00", precision: .fraction, parts: [2024, 1, 15, 10, 30, 5],
                fraction: "000000001", offset: 840
            ),
            ParsedDateTime(
                text: "2024-01-15T10:30:05.5-12:00", precision: .fraction, parts: [2024, 1, 15, 10, 30, 5], fraction: "5",
                offset: -720
            ),
        ]
    )
    func valid(_ example: ParsedDateTime) throws {
        let value = try #require(FHIRDateTime(example.text))
        #expect(value.text == example.text)
        #expect(value.description == example.text)
        #expect(value.precision == example.precision)
        #expect([value.year, value.month, value.day, value.hour, value.minute, value.second] == example.parts)
        #expect(value.fractionDigits == example.fraction)
        #expect(value.offsetMinutes == example.offset)
        #expect(value.hasTime == (example.parts[3] != nil))
    }

    @Test(
        "invalid values are refused",
        arguments: [
            "", "24", "202", "20245", "0000", "2024-", "2024-1", "2024-00", "2024-13", "2024-02-30", "2023-02-29",
            "1900-02-29", "2100-02-29", "2024-04-31", "2024-01-00", "2024-01-32", "2024-01-1",
            "2024-01-15T24:00:00Z", "2024-01-15T24:00Z", "2024-01-15T10:60:00Z",
            "2024-01-15T10:30:00", "2024-01-15T10:30", "2024-01-15T10:30:00.123", "2024-01-15T", "2024-01-15T10Z",
            "2024-01-15T10:30:00.Z", "2024-01-15T10:30:00.+02:00", "2024-01-15T10:30:00+2:00", "2024-01-15T10:30:00+02",
            "2024-01-15T10:30:00+0200", "2024-01-15T10:30:00+15:00", "2024-01-15T10:30:00+14:30", "2024-01-15T10:30:00+02:60",
            "2024-01-15Z", "2024-01-15 10:30:00Z", "2024-01-15t10:30:00z", "2024-01-15T10:30:00ZZ", " 2024", "2024 ",
            "-2024", "+2024-01-01", "２０２４",
        ]
    )
    func invalid(_ text: String) {
        #expect(FHIRDateTime(text) == nil)
    }

    @Test("Feb 29 exists only in leap years")
    func leapYears() {
        for year in [1600, 2000, 2004, 2020, 2024, 2400] {
            #expect(FHIRDateTime(String(format: "%04d-02-29", year)) != nil, "\(year)")
        }
        for year in [1700, 1800, 1900, 2001, 2023, 2100] {
            #expect(FHIRDateTime(String(format: "%04d-02-29", year)) == nil, "\(year)")
        }
    }

    @Test("bounds of each precision, in UTC")
    func boundsByPrecision() throws {
        let cases: [(String, Double, Double)] = [
            ("2024", 1_704_067_200, 1_735_689_600),
            ("2024-02", 1_706_745_600, 1_709_251_200),
            ("2023-02", 1_675_209_600, 1_677_628_800),
            ("2024-12-31", 1_735_603_200, 1_735_689_600),
            ("1969-12-31", -86_400, 0),
            ("2024-01-01T10:15Z", 1_704_067_200 + 36_900, 1_704_067_200 + 36_960),
            ("2024-01-01T10:15:30Z", 1_704_067_200 + 36_930, 1_704_067_200 + 36_931),
            ("2024-01-01T10:15:30.5Z", 1_704_067_200 + 36_930.5, 1_704_067_200 + 36_930.6),
            ("2024-01-01T10:15:30.250Z", 1_704_067_200 + 36_930.25, 1_704_067_200 + 36_930.251),
            ("1600-02-29T12:00:00Z", -11_670_955_200, -11_670_955_199),
        ]
        for (text, lower, upper) in cases {
            let value = try #require(FHIRDateTime(text))
            #expect(abs(seconds(value.lowerBound) - lower) < 1e-4, "\(text) lower \(seconds(value.lowerBound))")
            #expect(abs(seconds(value.upperBound) - upper) < 1e-4, "\(text) upper \(seconds(value.upperBound))")
        }
    }

    @Test("offsets move the bounds to UTC")
    func boundsWithOffsets() throws {
        let midnight = 1_704_067_200.0
        let cases: [(String, Double)] = [
            ("2024-01-01T10:00:00+02:00", midnight + 8 * 3600),
            ("2024-01-01T00:30:00-05:00", midnight + 5.5 * 3600),
            ("2024-01-01T01:00:00+14:00", midnight - 13 * 3600),
            ("2024-01-01T12:00:00-12:00", midnight + 24 * 3600),
            ("2024-01-01T05:45:00+05:45", midnight),
        ]
        for (text, lower) in cases {
            let value = try #require(FHIRDateTime(text))
            #expect(seconds(value.lowerBound) == lower, "\(text)")
            #expect(seconds(value.upperBound) == lower + 1, "\(text)")
        }
        let same = try #require(FHIRDateTime("2024-01-01T10:00:00+02:00"))
        let utc = try #require(FHIRDateTime("2024-01-01T08:00:00Z"))
        #expect(same.lowerBound == utc.lowerBound)
        #expect(same != utc, "values keep their text, so equal instants written differently differ")
    }

    @Test("each bound is the first instant of the next value of the same precision")
    func boundsChain() throws {
        let pairs = [
            ("2024", "2025"), ("2024-12", "2025-01"), ("2024-02-29", "2024-03-01"),
            ("2024-01-01T23:59Z", "2024-01-02T00:00Z"), ("2023-12-31T23:59:59Z", "2024-01-01T00:00:00Z"),
        ]
        for (first, next) in pairs {
            let a = try #require(FHIRDateTime(first))
            let b = try #require(FHIRDateTime(next))
            #expect(a.upperBound == b.lowerBound, "\(first) .. \(next)")
            #expect(a.lowerBound < a.upperBound)
        }
    }

    @Test("precisions are ordered from year to fraction")
    func precisionOrder() {
        let all: [FHIRDateTime.Precision] = [.year, .month, .day, .minute, .second, .fraction]
        #expect(all.sorted() == all)
        #expect(FHIRDateTime.Precision.day < .second)
    }
}

@Suite("FHIR instants for server times")
struct FHIRInstantTests {
    @Test(
        "dates are written as UTC instants with milliseconds",
        arguments: [
            (0.0, "1970-01-01T00:00:00.000Z"),
            (-1.0, "1969-12-31T23:59:59.000Z"),
            (-0.001, "1969-12-31T23:59:59.999Z"),
            (-0.5, "1969-12-31T23:59:59.500Z"),
            (-86_400.0, "1969-12-31T00:00:00.000Z"),
            (-11_670_955_200.0, "1600-02-29T12:00:00.000Z"),
            (-62_135_596_800.0, "0001-01-01T00:00:00.000Z"),
            (951_868_799.0, "2000-02-29T23:59:59.000Z"),
            (1_704_067_200.25, "2024-01-01T00:00:00.250Z"),
            (1_704_067_200.9999, "2024-01-01T00:00:00.999Z"),
            (253_402_300_799.0, "9999-12-31T23:59:59.000Z"),
        ]
    )
    func formatting(_ seconds: Double, _ expected: String) {
        #expect(FHIRInstant.string(from: Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test("milliseconds written by hand come back unchanged")
    func millisecondRoundTrip() throws {
        for text in ["2024-01-01T00:00:00.123Z", "2026-11-23T09:12:00.007Z", "1969-07-20T20:17:40.001Z", "1955-03-01T12:00:00.999Z"] {
            let value = try #require(FHIRDateTime(text))
            #expect(FHIRInstant.string(from: value.lowerBound) == text)
        }
    }

    @Test("a written instant parses as a fraction-precision dateTime in UTC")
    func writtenInstantsParse() throws {
        let text = FHIRInstant.string(from: Date())
        let value = try #require(FHIRDateTime(text))
        #expect(value.precision == .fraction)
        #expect(value.offsetMinutes == 0)
        #expect(value.fractionDigits?.count == 3)
    }
}
