import Foundation
import FHIRCore

/// Why one value could not be converted; the evaluator adds where it was read.
struct ConversionFailure: Error, Sendable {
    var reason: String
}

/// HL7 v2 dates, times and numbers written as FHIR primitives, keeping precision and offset.
enum V2Primitives {
    /// A v2 DT/TS/DTM (`YYYY[MM[DD[HH[MM[SS[.S...]]]]]][+/-ZZZZ]`) as a FHIR dateTime.
    ///
    /// Dates keep their precision (`20260314` -> `2026-03-14`) and drop any offset (a FHIR date has none).
    /// A time gets the seconds FHIR requires (`1230` -> `12:30:00`) and its offset (`-0500` -> `-05:00`);
    /// a time written without an offset gets `defaultOffset` (mappings/settings.yaml `timezone-offset`).
    static func dateTime(_ text: String, defaultOffset: String) throws(ConversionFailure) -> String {
        let text = text.trimmingWhitespace()
        var digits = Substring(text.prefix { $0.isASCII && $0.isNumber })
        var rest = text.dropFirst(digits.count)
        var fraction = ""
        if rest.first == "." {
            let fractionDigits = rest.dropFirst().prefix { $0.isASCII && $0.isNumber }
            fraction = String(fractionDigits)
            rest = rest.dropFirst(1 + fractionDigits.count)
        }
        var offset: String?
        if let sign = rest.first, sign == "+" || sign == "-" {
            let zone = rest.dropFirst()
            guard zone.count == 4, zone.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let hours = Int(zone.prefix(2)), let minutes = Int(zone.suffix(2)), hours <= 14, minutes < 60 else {
                throw ConversionFailure(reason: "\"\(text)\" has an invalid UTC offset")
            }
            offset = "\(sign)\(zone.prefix(2)):\(zone.suffix(2))"
            rest = ""
        }
        guard rest.isEmpty, [4, 6, 8, 10, 12, 14].contains(digits.count) else {
            throw ConversionFailure(reason: "\"\(text)\" is not an HL7 date/time (YYYY[MM[DD[HHMM[SS[.S]]]]][+/-ZZZZ])")
        }
        func take(_ count: Int) -> Int {
            let part = digits.prefix(count)
            digits = digits.dropFirst(count)
            return Int(part) ?? -1
        }
        let year = take(4)
        let month = digits.isEmpty ? nil : take(2)
        let day = digits.isEmpty ? nil : take(2)
        let hour = digits.isEmpty ? nil : take(2)
        let minute = digits.isEmpty ? nil : take(2)
        let second = digits.isEmpty ? nil : take(2)
        guard year >= 1 else { throw ConversionFailure(reason: "\"\(text)\" has year 0000") }
        var result = String(year).leftPadded(to: 4)
        guard let month else { return result }
        guard (1...12).contains(month) else { throw ConversionFailure(reason: "\"\(text)\" has month \(month)") }
        result += "-" + String(month).leftPadded(to: 2)
        guard let day else { return result }
        guard day >= 1, day <= FHIRDateTime.daysIn(month: month, year: year) else {
            throw ConversionFailure(reason: "\"\(text)\" has day \(day)")
        }
        result += "-" + String(day).leftPadded(to: 2)
        guard let hour else { return result }
        let minutes = minute ?? 0
        let seconds = second ?? 0
        guard hour < 24, minutes < 60, seconds < 60 else {
            throw ConversionFailure(reason: "\"\(text)\" has an invalid time of day")
        }
        result += "T" + [hour, minutes, seconds].map { String($0).leftPadded(to: 2) }.joined(separator: ":")
        if !fraction.isEmpty, second != nil { result += "." + fraction }
        result += offset ?? defaultOffset
        return result
    }

    /// A v2 date or date/time as a FHIR date (the date part, at its precision).
    static func date(_ text: String) throws(ConversionFailure) -> String {
        let full = try dateTime(text, defaultOffset: "Z")
        return String(full.prefix { $0 != "T" })
    }

    /// A v2 NM as the text of a FHIR decimal: sign and digits kept, leading `+` and zeros dropped
    /// (`+007.50` -> `7.50`, `.5` -> `0.5`).
    static func decimal(_ text: String) throws(ConversionFailure) -> String {
        var rest = Substring(text.trimmingWhitespace())
        var sign = ""
        if rest.first == "+" { rest = rest.dropFirst() } else if rest.first == "-" { sign = "-"; rest = rest.dropFirst() }
        let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts.first ?? ""
        let fraction = parts.count > 1 ? parts[1] : nil
        guard whole.allSatisfy({ $0.isASCII && $0.isNumber }), fraction?.allSatisfy({ $0.isASCII && $0.isNumber }) ?? true,
              !(whole.isEmpty && (fraction ?? "").isEmpty), fraction.map({ !$0.isEmpty }) ?? true else {
            throw ConversionFailure(reason: "\"\(text)\" is not a number")
        }
        var integer = String(whole.drop { $0 == "0" })
        if integer.isEmpty { integer = "0" }
        let result = integer + (fraction.map { "." + $0 } ?? "")
        return (result.allSatisfy { $0 == "0" || $0 == "." } ? "" : sign) + result
    }

    /// A v2 integer as a FHIR integer text.
    static func integer(_ text: String) throws(ConversionFailure) -> String {
        let value = try decimal(text)
        guard !value.utf8.contains(UInt8(ascii: ".")) else { throw ConversionFailure(reason: "\"\(text)\" is not a whole number") }
        return value
    }
}
