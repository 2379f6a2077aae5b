import Foundation

/// Makes `instant` values for server-assigned times such as `meta.lastUpdated`.
public enum FHIRInstant {
    /// `date` as a FHIR instant in UTC with millisecond precision, e.g. `2026-11-23T09:12:00.123Z`.
    public static func string(from date: Date) -> String {
        // Round to whole microseconds first, so that binary noise (-0.001 s * 1000 = -1.0000000000000002)
        // does not push a value into the millisecond below.
        let microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let millisecondsSinceEpoch = microseconds.quotientAndRemainderFloored(dividingBy: 1000).quotient
        let seconds = millisecondsSinceEpoch.quotientAndRemainderFloored(dividingBy: 1000)
        let days = seconds.quotient.quotientAndRemainderFloored(dividingBy: 86_400)
        let (year, month, day) = CivilCalendar.date(days: Int(days.quotient))
        let secondOfDay = Int(days.remainder)
        // Built by hand: `String(format:)` goes through CoreFoundation and costs ~2% of a write.
        var text = ""
        text.reserveCapacity(24)
        append(year, width: 4, to: &text)
        text += "-"
        append(month, width: 2, to: &text)
        text += "-"
        append(day, width: 2, to: &text)
        text += "T"
        append(secondOfDay / 3600, width: 2, to: &text)
        text += ":"
        append(secondOfDay / 60 % 60, width: 2, to: &text)
        text += ":"
        append(secondOfDay % 60, width: 2, to: &text)
        text += "."
        append(Int(seconds.remainder), width: 3, to: &text)
        text += "Z"
        return text
    }

    private static func append(_ value: Int, width: Int, to text: inout String) {
        let digits = String(value)
        if digits.count < width { text += String(repeating: "0", count: width - digits.count) }
        text += digits
    }
}

extension Int64 {
    fileprivate func quotientAndRemainderFloored(dividingBy divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }
}
