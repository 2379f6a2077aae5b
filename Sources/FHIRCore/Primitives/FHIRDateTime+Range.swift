import Foundation

extension FHIRDateTime {
    /// The first instant the value covers: `1970` starts at 1970-01-01T00:00:00Z. Values without a time
    /// are taken in UTC.
    public var lowerBound: Date {
        Date(timeIntervalSince1970: startSeconds)
    }

    /// The first instant after the value: `1970` ends before 1971-01-01T00:00:00Z, `...T10:00:00` before
    /// `...T10:00:01`.
    public var upperBound: Date {
        let length: Double
        switch precision {
        case .year:
            length = Double(CivilCalendar.days(year: year + 1, month: 1, day: 1) - CivilCalendar.days(year: year, month: 1, day: 1)) * 86_400
        case .month:
            length = Double(FHIRDateTime.daysIn(month: month ?? 1, year: year)) * 86_400
        case .day: length = 86_400
        case .minute: length = 60
        case .second: length = 1
        case .fraction:
            let digits = fractionDigits?.count ?? 0
            length = pow(10, -Double(digits))
        }
        return Date(timeIntervalSince1970: startSeconds + length)
    }

    private var startSeconds: Double {
        let days = CivilCalendar.days(year: year, month: month ?? 1, day: day ?? 1)
        var seconds = Double(days) * 86_400
        seconds += Double((hour ?? 0) * 3600 + (minute ?? 0) * 60 + (second ?? 0))
        if let fractionDigits, let fraction = Double("0." + fractionDigits) { seconds += fraction }
        seconds -= Double((offsetMinutes ?? 0) * 60)
        return seconds
    }
}
