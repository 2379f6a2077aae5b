/// HL7 v2 escape sequences (v2.5.1 chapter 2, 2.7): reading them out of field text and writing them in.
///
/// Reading (`unescape`), with `\` standing for the message's escape character:
/// - `\F\ \S\ \T\ \R\ \E\ \P\` give the field, component, subcomponent and repetition separators, the escape
///   character and the truncation character;
/// - `\Xhh..\` gives the bytes `hh..` read in the message's character set (UTF-8 when valid, else Latin-1);
/// - `\.br\` and `\.ce\` give a line feed, `\.sp n\` n line feeds (1 when n is absent), `\.sk n\` n spaces;
///   `\H\ \N\ \.fi\ \.nf\ \.in n\ \.ti n\` are formatting with no text of their own and give nothing;
/// - `\Cxxyy\` and `\Mxxyyzz\` (ISO 2022 character set switches, not supported) give nothing;
/// - anything else (`\Zxxx\` local escapes, an unterminated or empty sequence, bad hex) is kept as written.
/// Repeat counts are capped at 100 so that a short sequence cannot blow up memory.
public enum HL7Escaping {
    /// The text that `raw` (one subcomponent as written in ER7) stands for.
    public static func unescape(_ raw: Substring, encoding: HL7EncodingCharacters,
                                characterSet: HL7CharacterSet = .utf8) -> String {
        let escape = encoding.escape
        guard raw.unicodeScalars.contains(escape) else { return String(raw) }
        var output = String.UnicodeScalarView()
        let scalars = raw.unicodeScalars
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            guard scalar == escape else {
                output.append(scalar)
                index = scalars.index(after: index)
                continue
            }
            let start = scalars.index(after: index)
            guard let end = scalars[start...].firstIndex(of: escape) else {
                output.append(contentsOf: scalars[index...])  // unterminated: kept as written
                break
            }
            let body = String(String.UnicodeScalarView(scalars[start..<end]))
            if let replacement = replacement(for: body, encoding: encoding, characterSet: characterSet) {
                output.append(contentsOf: replacement.unicodeScalars)
            } else {
                output.append(contentsOf: scalars[index...end])
            }
            index = scalars.index(after: end)
        }
        return String(output)
    }

    /// `value` written so that it can stand in one subcomponent: delimiters, the escape character and line
    /// breaks become escape sequences (`\F\ \S\ \T\ \R\ \E\ \P\ \X0D\ \X0A\`), and so do the other control
    /// characters (`\Xhh\`), among them MLLP's frame bytes 0x0B and 0x1C, which must not appear inside a frame.
    public static func escape(_ value: String, encoding: HL7EncodingCharacters) -> String {
        var output = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            let code: String?
            switch scalar {
            case encoding.escape: code = "E"
            case encoding.field: code = "F"
            case encoding.component: code = "S"
            case encoding.repetition: code = "R"
            case "\r": code = "X0D"
            case "\n": code = "X0A"
            default:
                if scalar == encoding.subcomponent {
                    code = "T"
                } else if scalar == encoding.truncation {
                    code = "P"
                } else if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    code = "X" + (hex.count == 1 ? "0" + hex : hex)
                } else {
                    code = nil
                }
            }
            if let code {
                output.append(encoding.escape)
                output.append(contentsOf: code.unicodeScalars)
                output.append(encoding.escape)
            } else {
                output.append(scalar)
            }
        }
        return String(output)
    }

    /// What one sequence body (the text between two escape characters) stands for; nil keeps it as written.
    static func replacement(for body: String, encoding: HL7EncodingCharacters,
                            characterSet: HL7CharacterSet) -> String? {
        switch body {
        case "F": return String(encoding.field)
        case "S": return String(encoding.component)
        case "R": return String(encoding.repetition)
        case "E": return String(encoding.escape)
        case "T": return encoding.subcomponent.map { String($0) }
        case "P": return encoding.truncation.map { String($0) }
        case "H", "N", ".fi", ".nf": return ""
        case ".br", ".ce": return "\n"
        default: break
        }
        guard let first = body.unicodeScalars.first else { return nil }
        switch first {
        case "X", "x":
            return hexBytes(body.dropFirst()).map { characterSet.text(fromEscaped: $0) }
        case "C", "M":
            return hexBytes(body.dropFirst()) != nil ? "" : nil
        case ".":
            let command = body.prefix(3)
            guard let count = repeatCount(body.dropFirst(3)) else { return nil }
            switch command {
            case ".sp": return String(repeating: "\n", count: max(count, 1))
            case ".sk": return String(repeating: " ", count: count)
            case ".in", ".ti": return ""
            default: return nil
            }
        default:
            return nil
        }
    }

    /// `hh..` as bytes; nil for an odd count, no digits or a non-hex character.
    static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index + 1 < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    /// The number after `.sp`, `.sk`, `.in`, `.ti` (optional sign, spaces allowed), capped at 100; 0 when absent.
    static func repeatCount(_ text: Substring) -> Int? {
        var trimmed = text.drop(while: { $0 == " " })
        if trimmed.first == "+" || trimmed.first == "-" { trimmed = trimmed.dropFirst() }
        if trimmed.isEmpty { return 0 }
        guard trimmed.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return min(Int(trimmed) ?? 100, 100)  // digits too many for Int are over the cap anyway
    }
}
