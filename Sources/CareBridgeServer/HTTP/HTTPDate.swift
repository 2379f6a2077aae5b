import FHIRCore
import Foundation

/// RFC 9110 dates (`Sun, 06 Nov 1994 08:49:37 GMT`) for `Last-Modified`.
enum HTTPDate {
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func string(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CivilCalendar.date(days: days)
        // Built by hand: `String(format:)` goes through CoreFoundation and showed in profiles of every read.
        return "\(weekdays[((days % 7) + 7) % 7]), \(twoDigits(day)) \(months[month - 1]) "
            + "\(padded(year, to: 4)) \(twoDigits(secondOfDay / 3600)):\(twoDigits(secondOfDay / 60 % 60)):"
            + "\(twoDigits(secondOfDay % 60)) GMT"
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : String(value)
    }

    private static func padded(_ value: Int, to width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
