/// A FHIR `date`, `dateTime` or `instant`, kept exactly as written, with its precision and offset.
///
/// `1970`, `1970-05`, `1970-05-12`, `1970-05-12T10:00:00+02:00` and `...T10:00:00.123Z` are all valid
/// dateTimes of different precision; the value is never converted through `Date`, so nothing is lost.
public struct FHIRDateTime: Sendable, Hashable, CustomStringConvertible {
    /// How much of the value was given.
    public enum Precision: Int, Sendable, Comparable {
        case year, month, day, minute, second, fraction

        public static func < (lhs: Precision, rhs: Precision) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The text as written.
    public let text: String
    public let precision: Precision
    public let year: Int
    public let month: Int?
    public let day: Int?
    public let hour: Int?
    public let minute: Int?
    public let second: Int?
    /// Fraction-of-second digits as written (e.g. `123` for `.123`), nil when absent.
    public let fractionDigits: String?
    /// Offset from UTC in minutes (`Z` is 0); nil for a date without a time.
    public let offsetMinutes: Int?

    public var description: String { text }

    /// Parses `text`; nil when it is not a valid FHIR date, dateTime or instant.
    public init?(_ text: String) {
        let chars = Array(text.utf8)
        var cursor = DigitCursor(chars: chars)
        guard let year = cursor.number(digits: 4), year >= 1 else { return nil }
        self.text = text
        self.year = year
        var month: Int?, day: Int?, hour: Int?, minute: Int?, second: Int?
        var fraction: String?, offset: Int?
        var precision = Precision.year
        if cursor.take("-") {
            guard let value = cursor.number(digits: 2), (1...12).contains(value) else { return nil }
            month = value
            precision = .month
            if cursor.take("-") {
                guard let dayValue = cursor.number(digits: 2),
                      dayValue >= 1, dayValue <= FHIRDateTime.daysIn(month: value, year: year)
                else { return nil }
                day = dayValue
                precision = .day
                if cursor.take("T") {
                    guard let h = cursor.number(digits: 2), h < 24, cursor.take(":"),
                          let m = cursor.number(digits: 2), m < 60
                    else { return nil }
                    hour = h
                    minute = m
                    precision = .minute
                    if cursor.take(":") {
                        guard let s = cursor.number(digits: 2), s < 60 else { return nil }
                        second = s
                        precision = .second
                        if cursor.take(".") {
                            let digits = cursor.digitRun()
                            guard !digits.isEmpty else { return nil }
                            fraction = digits
                            precision = .fraction
                        }
                    }
                    guard let parsedOffset = cursor.offset() else { return nil }
                    offset = parsedOffset
                }
            }
        }
        guard cursor.atEnd else { return nil }
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.fractionDigits = fraction
        self.offsetMinutes = offset
        self.precision = precision
    }

    /// Whether the value has a time of day (dateTime with time, or instant).
    public var hasTime: Bool { hour != nil }

    /// Days in a month of the proleptic Gregorian calendar.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

private struct DigitCursor {
    let chars: [UInt8]
    var index = 0

    var atEnd: Bool { index == chars.count }

    mutating func number(digits: Int) -> Int? {
        guard index + digits <= chars.count else { return nil }
        var value = 0
        for offset in 0..<digits {
            let char = chars[index + offset]
            guard char >= 0x30, char <= 0x39 else { return nil }
            value = value * 10 + Int(char - 0x30)
        }
        index += digits
        return value
    }

    mutating func take(_ character: Unicode.Scalar) -> Bool {
        guard index < chars.count, chars[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    mutating func digitRun() -> String {
        let start = index
        while index < chars.count, chars[index] >= 0x30, chars[index] <= 0x39 { index += 1 }
        return String(decoding: chars[start..<index], as: UTF8.self)
    }

    /// `Z` or `+hh:mm`/`-hh:mm`; a time without an offset is not valid FHIR.
    mutating func offset() -> Int? {
        if take("Z") { return 0 }
        let sign: Int
        if take("+") {
            sign = 1
        } else if take("-") {
            sign = -1
        } else {
            return nil
        }
        // FHIR allows -14:00 to +14:00 (`(0[0-9]|1[0-3]):[0-5][0-9]|14:00`).
        guard let hours = number(digits: 2), take(":"), let minutes = number(digits: 2), minutes < 60,
              hours < 14 || (hours == 14 && minutes == 0)
        else { return nil }
        return sign * (hours * 60 + minutes)
    }
}
