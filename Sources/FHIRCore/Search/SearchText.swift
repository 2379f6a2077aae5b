import Foundation

/// The form strings take in the search index and in queries, so that matching is case- and
/// accent-insensitive (https://hl7.org/fhir/R4/search.html#string): `Mélanie` and `MELANIE` both become
/// `melanie`.
public enum SearchText {
    /// Letters that Unicode does not decompose into a base letter and a mark, folded by hand.
    private static let extraFolds: [Character: String] = [
        "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
    ]

    /// `text` lower-cased, without diacritics, with runs of white space as one space, trimmed.
    public static func normalized(_ text: String) -> String {
        if let ascii = asciiNormalized(text) { return ascii }
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var result = ""
        result.reserveCapacity(folded.utf8.count)
        var pendingSpace = false
        for character in folded {
            if character.isWhitespace {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace {
                result.append(" ")
                pendingSpace = false
            }
            if let replacement = extraFolds[character] { result += replacement } else { result.append(character) }
        }
        return result
    }

    /// `normalized` for text that is all ASCII, byte by byte (lower-casing is all the folding ASCII needs, and
    /// its white space is tab to carriage return and space); nil when `text` has any other character.
    static func asciiNormalized(_ text: String) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for byte in text.utf8 {
            guard byte < 0x80 else { return nil }
            if byte == 0x20 || (0x09...0x0D).contains(byte) {
                pendingSpace = !bytes.isEmpty
                continue
            }
            if pendingSpace {
                bytes.append(0x20)
                pendingSpace = false
            }
            bytes.append((0x41...0x5A).contains(byte) ? byte + 0x20 : byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
