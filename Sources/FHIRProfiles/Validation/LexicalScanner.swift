import FHIRCore

/// Hand-written equivalents of the R4 regexes for oid, uuid, date, dateTime, instant and time.
enum LexicalScanner {
    /// `urn:oid:[0-2](\.(0|[1-9][0-9]*))+`
    static func isOID(_ bytes: String.UTF8View) -> Bool {
        let chars = Array(bytes)
        let prefix = Array("urn:oid:".utf8)
        guard chars.count > prefix.count + 2, chars.starts(with: prefix) else { return false }
        var index = prefix.count
        guard chars[index] >= 0x30, chars[index] <= 0x32 else { return false }
        index += 1
        var arcs = 0
        while index < chars.count {
            guard chars[index] == UInt8(ascii: "."), index + 1 < chars.count, isDigit(chars[index + 1]) else {
                return false
            }
            index += 1
            let start = index
            while index < chars.count, isDigit(chars[index]) { index += 1 }
            if chars[start] == UInt8(ascii: "0"), index - start > 1 { return false }
            arcs += 1
        }
        return arcs > 0
    }

    /// `urn:uuid:` followed by 8-4-4-4-12 lower-case hex digits.
    static func isUUID(_ bytes: String.UTF8View) -> Bool {
        let chars = Array(bytes)
        let prefix = Array("urn:uuid:".utf8)
        guard chars.count == prefix.count + 36, chars.starts(with: prefix) else { return false }
        for (offset, byte) in chars.dropFirst(prefix.count).enumerated() {
            if [8, 13, 18, 23].contains(offset) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else if !(isDigit(byte) || (byte >= 0x61 && byte <= 0x66)) {
                return false
            }
        }
        return true
    }

    /// Whether `chars` is a valid value of `type` (date, dateTime, instant or time).
    static func isTemporal(_ chars: [UInt8], _ type: PrimitiveType) -> Bool {
        var cursor = Cursor(chars: chars)
        switch type {
        case .time:
            return cursor.time() && cursor.atEnd
        case .date:
            return cursor.date(requireDay: false) && cursor.atEnd
        case .instant:
            return cursor.date(requireDay: true) && cursor.take("T") && cursor.time() && cursor.zone() && cursor.atEnd
        default:
            guard cursor.date(requireDay: false) else { return false }
            if cursor.atEnd { return true }
            return cursor.dayParsed && cursor.take("T") && cursor.time() && cursor.zone() && cursor.atEnd
        }
    }

    private struct Cursor {
        let chars: [UInt8]
        var index = 0
        var dayParsed = false

        var atEnd: Bool { index == chars.count }

        mutating func take(_ character: Unicode.Scalar) -> Bool {
            guard index < chars.count, chars[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        mutating func number(_ digits: Int) -> Int? {
            guard index + digits <= chars.count else { return nil }
            var value = 0
            for byte in chars[index..<index + digits] {
                guard isDigit(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += digits
            return value
        }

        /// `YYYY(-MM(-DD)?)?`, with every part required up to the day when `requireDay`.
        mutating func date(requireDay: Bool) -> Bool {
            guard let year = number(4), year >= 1 else { return false }
            guard take("-") else { return !requireDay }
            guard let month = number(2), (1...12).contains(month) else { return false }
            guard take("-") else { return !requireDay }
            guard let day = number(2), day >= 1, day <= FHIRDateTime.daysIn(month: month, year: year) else {
                return false
            }
            dayParsed = true
            return true
        }

        /// `hh:mm:ss(.f+)?`
        mutating func time() -> Bool {
            guard let hour = number(2), hour < 24, take(":"), let minute = number(2), minute < 60, take(":"),
                  let second = number(2), second <= 60
            else { return false }
            if take(".") {
                let start = index
                while index < chars.count, isDigit(chars[index]) { index += 1 }
                return index > start
            }
            return true
        }

        /// `Z` or `(+|-)hh:mm` with hh 00-13, or 14:00.
        mutating func zone() -> Bool {
            if take("Z") { return true }
            guard take("+") || take("-"), let hours = number(2), take(":"), let minutes = number(2), minutes < 60
            else { return false }
            return hours < 14 || (hours == 14 && minutes == 0)
        }
    }
}
