import Foundation

/// How a vendor writes its times, as its mapping says: `hl7` (`YYYYMMDDHHMM[SS][+ZZZZ]`), `iso` (ISO 8601 /
/// FHIR, `2026-03-14T09:40:00+01:00`), or a pattern of `yyyy MM dd HH mm ss SSS` (fraction) and `XXX`
/// (`+01:00` or `Z`) / `xx` (`+0100`), other characters standing for themselves and `'...'` quoting letters.
/// Every form is turned into the v2 form and read by `V2Primitives`, so precision and offset are kept and a
/// time without offset gets `timezone-offset`.
struct XMLTimeFormat: Sendable, Hashable {
    enum Token: Sendable, Hashable {
        case field(Character, Int)
        case literal(Character)
    }
    let written: String
    let tokens: [Token]

    init(_ written: String) throws(MappingError) {
        self.written = written
        switch written {
        case "hl7", "iso":
            tokens = []
            return
        default: break
        }
        var tokens: [Token] = []
        var characters = Array(written)[...]
        while let first = characters.first {
            if first == "'" {
                characters = characters.dropFirst()
                while let next = characters.first, next != "'" { tokens.append(.literal(next)); characters = characters.dropFirst() }
                characters = characters.dropFirst()
                continue
            }
            let run = characters.prefix { $0 == first }.count
            characters = characters.dropFirst(run)
            guard first.isLetter else {
                tokens += Array(repeating: .literal(first), count: run)
                continue
            }
            let allowed: [Character: Set<Int>] = ["y": [4], "M": [2], "d": [2], "H": [2], "m": [2], "s": [2], "S": [1, 2, 3, 4, 5, 6],
                                                  "X": [3], "x": [2]]
            guard allowed[first]?.contains(run) == true else {
                throw MappingError(.invalidMapping, "time format \"\(written)\": \(String(repeating: first, count: run)) is not one of yyyy MM dd HH mm ss S..S XXX xx")
            }
            tokens.append(.field(first, run))
        }
        self.tokens = tokens
    }

    /// `text` as a FHIR dateTime (`asDate`: only the date part).
    func convert(_ text: String, defaultOffset: String, asDate: Bool = false) throws(ConversionFailure) -> String {
        let v2: String
        switch written {
        case "hl7": v2 = text
        case "iso": v2 = Self.v2(fromISO: text)
        default: v2 = try read(text)
        }
        let result = try V2Primitives.dateTime(v2, defaultOffset: defaultOffset)
        return asDate ? String(result.prefix { $0 != "T" }) : result
    }

    private func read(_ text: String) throws(ConversionFailure) -> String {
        var rest = Substring(text.trimmingWhitespace())
        var fields: [Character: String] = [:]
        for token in tokens {
            switch token {
            case .literal(let character):
                guard rest.first == character else { throw mismatch(text) }
                rest = rest.dropFirst()
            case .field(let letter, _) where letter == "X" || letter == "x":
                if letter == "X", rest.first == "Z" {
                    fields["Z"] = "+0000"
                    rest = rest.dropFirst()
                    continue
                }
                let width = letter == "X" ? 6 : 5
                let zone = rest.prefix(width)
                guard zone.count == width, let sign = zone.first, sign == "+" || sign == "-" else { throw mismatch(text) }
                fields["Z"] = zone.filter { $0 != ":" }
                rest = rest.dropFirst(width)
            case .field(let letter, let count):
                let digits = rest.prefix(count)
                guard digits.count == count, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw mismatch(text) }
                fields[letter] = String(digits)
                rest = rest.dropFirst(count)
            }
        }
        guard rest.isEmpty else { throw mismatch(text) }
        var v2 = ""
        for letter in ["y", "M", "d", "H", "m", "s"] as [Character] {
            guard let part = fields[letter] else { break }
            v2 += part
        }
        if let fraction = fields["S"], fields["s"] != nil { v2 += "." + fraction }
        return v2 + (fields["Z"] ?? "")
    }

    private func mismatch(_ text: String) -> ConversionFailure {
        ConversionFailure(reason: "\"\(text)\" does not have the time format \(written)")
    }

    /// `2026-03-14T09:40:00.5+01:00` -> `20260314094000.5+0100` (`Z` -> `+0000`).
    static func v2(fromISO text: String) -> String {
        var result = ""
        var inZone = false
        for character in text.trimmingWhitespace() {
            switch character {
            case "-" where !inZone && result.count < 8: continue
            case "T", ":": continue
            case "Z" where result.count >= 8: result += "+0000"; inZone = true
            case "+", "-": result.append(character); inZone = true
            default: result.append(character)
            }
        }
        return result
    }
}
