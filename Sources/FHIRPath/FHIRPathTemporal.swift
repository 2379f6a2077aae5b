import FHIRCore
import Foundation

/// A FHIRPath Date, DateTime or Time, kept as written with its precision and (optional) offset.
///
/// Unlike a FHIR `dateTime`, FHIRPath allows a time without an offset (`@2020-01-01T10:00`) and partial
/// times (`@T10`), so this is its own small type rather than `FHIRDateTime`.
public struct FHIRPathTemporal: Sendable, Hashable, CustomStringConvertible {
    /// How much of the value was given; seconds and their fraction are one precision, as in FHIRPath.
    public enum Precision: Int, Sendable, Comparable {
        case year, month, day, hour, minute, second

        public static func < (lhs: Precision, rhs: Precision) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The text as written (without the `@` of a literal).
    public let text: String
    /// Date components (nil for a Time).
    public let year: Int?, month: Int?, day: Int?
    /// Time components.
    public let hour: Int?, minute: Int?, second: Int?
    /// Fraction-of-second digits as written.
    public let fraction: String?
    /// Offset from UTC in minutes, when given.
    public let offsetMinutes: Int?

    /// The finest component given.
    public var precision: Precision {
        if second != nil { return .second }
        if minute != nil { return .minute }
        if hour != nil { return .hour }
        if day != nil { return .day }
        return month != nil ? .month : .year
    }

    /// Whether it has no time part.
    public var isDateOnly: Bool { hour == nil && year != nil }

    public var description: String { text }

    /// A date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    public init?(date text: String) {
        guard let value = FHIRPathTemporal(parsing: text, allowTime: false), value.year != nil else { return nil }
        self = value
    }

    /// A date and time (`2020-01-01T10:00:00.5+01:00`), or a date alone; a trailing `T` is allowed (`2020T`).
    public init?(dateTime text: String) {
        guard let value = FHIRPathTemporal(parsing: text, allowTime: true), value.year != nil else { return nil }
        self = value
    }

    /// A time of day without `T`: `hh`, `hh:mm`, `hh:mm:ss(.fff)`.
    public init?(time text: String) {
        var scanner = TemporalScanner(Array(text.utf8))
        guard let parts = scanner.time(), scanner.atEnd else { return nil }
        self.init(text: text, date: (nil, nil, nil), time: parts, offset: nil)
    }

    private init(text: String, date: (Int?, Int?, Int?), time: (Int?, Int?, Int?, String?), offset: Int?) {
        self.text = text
        (year, month, day) = date
        (hour, minute, second, fraction) = time
        offsetMinutes = offset
    }

    private init?(parsing text: String, allowTime: Bool) {
        var scanner = TemporalScanner(Array(text.utf8))
        guard let year = scanner.digits(4) else { return nil }
        var month: Int?, day: Int?
        if scanner.take("-") {
            guard let value = scanner.digits(2), (1...12).contains(value) else { return nil }
            month = value
            if scanner.take("-") {
                guard let value = scanner.digits(2), (1...31).contains(value) else { return nil }
                day = value
            }
        }
        var time: (Int?, Int?, Int?, String?) = (nil, nil, nil, nil)
        var offset: Int?
        if allowTime, scanner.take("T") {
            if !scanner.atEnd {
                guard day != nil, let parts = scanner.time() else { return nil }
                time = parts
                offset = scanner.offset()
            }
        }
        guard scanner.atEnd else { return nil }
        self.init(text: text, date: (year, month, day), time: time, offset: offset)
    }

    /// Orders two values; nil when the answer is unknown because they stop at different precisions
    /// before any given component differs (FHIRPath's rule for `=` and `<`).
    func compare(to other: FHIRPathTemporal) -> ComparisonResult? {
        var left = self.components
        var right = other.components
        if let leftOffset = offsetMinutes, let rightOffset = other.offsetMinutes, hour != nil, other.hour != nil {
            left = FHIRPathTemporal.shifted(left, by: -leftOffset)
            right = FHIRPathTemporal.shifted(right, by: -rightOffset)
        }
        let firstComponent = year == nil && other.year == nil ? 3 : 0  // two Times start at the hour
        for index in firstComponent..<5 {
            switch (left[index], right[index]) {
            case (nil, nil): return .orderedSame
            case (nil, _), (_, nil): return nil
            case (let a?, let b?) where a != b: return a < b ? .orderedAscending : .orderedDescending
            default: continue
            }
        }
        switch (secondsDecimal, other.secondsDecimal) {
        case (nil, nil): return .orderedSame
        case (let a?, let b?): return a == b ? .orderedSame : (a < b ? .orderedAscending : .orderedDescending)
        default: return nil
        }
    }

    private var components: [Int?] { [year, month, day, hour, minute] }

    private var secondsDecimal: Decimal? {
        guard let second else { return nil }
        return Decimal(string: fraction.map { "\(second).\($0)" } ?? String(second), locale: nil)
    }

    /// Moves year...minute components by `minutes` (to normalise offsets to UTC).
    private static func shifted(_ parts: [Int?], by minutes: Int) -> [Int?] {
        guard let year = parts[0], let month = parts[1], let day = parts[2], let hour = parts[3] else { return parts }
        let total = CivilCalendar.days(year: year, month: month, day: day) * 1440 + hour * 60 + (parts[4] ?? 0) + minutes
        let days = Int((Double(total) / 1440).rounded(.down))
        let rest = total - days * 1440
        let (y, m, d) = CivilCalendar.date(days: days)
        return [y, m, d, rest / 60, parts[4] == nil ? nil : rest % 60]
    }
}

private struct TemporalScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func digits(_ count: Int) -> Int? {
        guard index + count <= bytes.count else { return nil }
        var value = 0
        for byte in bytes[index..<index + count] {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        index += count
        return value
    }

    mutating func take(_ scalar: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: scalar) else { return false }
        index += 1
        return true
    }

    mutating func time() -> (Int?, Int?, Int?, String?)? {
        guard let hour = digits(2), hour < 24 else { return nil }
        guard take(":") else { return (hour, nil, nil, nil) }
        guard let minute = digits(2), minute < 60 else { return nil }
        guard take(":") else { return (hour, minute, nil, nil) }
        guard let second = digits(2), second < 60 else { return nil }
        guard take(".") else { return (hour, minute, second, nil) }
        let start = index
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
        guard index > start else { return nil }
        return (hour, minute, second, String(decoding: bytes[start..<index], as: UTF8.self))
    }

    mutating func offset() -> Int? {
        if take("Z") { return 0 }
        let sign: Int
        if take("+") { sign = 1 } else if take("-") { sign = -1 } else { return nil }
        guard let hours = digits(2), take(":"), let minutes = digits(2) else {
            index = bytes.count + 1  // not at end: the caller rejects the text
            return nil
        }
        return sign * (hours * 60 + minutes)
    }
}
