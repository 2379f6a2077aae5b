/// The UTF-8 text fields are slices of, with the delimiters and character set it was read with.
///
/// Reading makes one for each set of delimiters (a new one only where a header changes them) and shares it among
/// every field read with those delimiters, so a field is a reference and two offsets rather than a `String` of
/// its own: strings are made only when a value is read.
/// Immutable, so sharing it between copies (and threads) is safe.
final class HL7Text: Sendable {
    /// The whole input as UTF-8 (already decoded from Latin-1 when the message is Latin-1).
    let bytes: [UInt8]
    let encoding: HL7EncodingCharacters
    let characterSet: HL7CharacterSet
    /// The delimiters as bytes when they are all ASCII (nearly always): values are then split without `String`s.
    let delimiterBytes: DelimiterBytes?

    init(bytes: [UInt8], encoding: HL7EncodingCharacters, characterSet: HL7CharacterSet) {
        self.bytes = bytes
        self.encoding = encoding
        self.characterSet = characterSet
        self.delimiterBytes = DelimiterBytes(encoding)
    }

    /// The ASCII repetition, component, subcomponent and escape bytes (subcomponent nil when the message has none).
    struct DelimiterBytes: Sendable {
        let repetition: UInt8
        let component: UInt8
        let subcomponent: UInt8?
        let escape: UInt8

        init?(_ encoding: HL7EncodingCharacters) {
            guard encoding.repetition.isASCII, encoding.component.isASCII, encoding.escape.isASCII,
                  encoding.subcomponent?.isASCII ?? true else { return nil }
            repetition = UInt8(truncatingIfNeeded: encoding.repetition.value)
            component = UInt8(truncatingIfNeeded: encoding.component.value)
            subcomponent = encoding.subcomponent.map { UInt8(truncatingIfNeeded: $0.value) }
            escape = UInt8(truncatingIfNeeded: encoding.escape.value)
        }
    }

    /// The text of `range` as written.
    func string(_ range: Range<Int>) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    /// The text of `range` unescaped (one subcomponent as written).
    func unescaped(_ range: Range<Int>) -> String {
        let text = string(range)
        if let escape = delimiterBytes?.escape, !contains(escape, in: range) { return text }
        return HL7Escaping.unescape(text[...], encoding: encoding, characterSet: characterSet)
    }

    func contains(_ byte: UInt8, in range: Range<Int>) -> Bool { firstIndex(of: byte, in: range) != nil }

    func firstIndex(of byte: UInt8, in range: Range<Int>) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            var index = range.lowerBound
            while index < range.upperBound {
                if buffer[index] == byte { return index }
                index += 1
            }
            return nil
        }
    }

    /// Part `number` (1-based) of `range` split on `delimiter` (nil: the range is one part), or nil when there are
    /// fewer parts.
    func part(_ number: Int, of range: Range<Int>, splitOn delimiter: UInt8?) -> Range<Int>? {
        guard let delimiter else { return number == 1 ? range : nil }
        guard number >= 1 else { return nil }
        return bytes.withUnsafeBufferPointer { buffer -> Range<Int>? in
            var start = range.lowerBound
            var seen = 1
            var index = start
            while index < range.upperBound {
                if buffer[index] == delimiter {
                    if seen == number { return start..<index }
                    seen += 1
                    start = index + 1
                }
                index += 1
            }
            return seen == number ? start..<range.upperBound : nil
        }
    }

    /// Where a value sits in a field's bytes, when the bytes alone can tell.
    enum Leaf {
        /// The value's bytes (possibly empty).
        case found(Range<Int>)
        /// The field has fewer repetitions, components or subcomponents.
        case absent
        /// The delimiters are not ASCII: split the field's text instead (`HL7Field.repetitions`).
        case needsText
    }

    /// Repetition `repetition`, component `component`, subcomponent `subcomponent` (all 1-based) of the field
    /// text in `range`. A field holding delimiters is one value.
    func leaf(of range: Range<Int>, holdsDelimiters: Bool, repetition: Int, component: Int, subcomponent: Int) -> Leaf {
        if holdsDelimiters { return repetition == 1 && component == 1 && subcomponent == 1 ? .found(range) : .absent }
        guard let delimiters = delimiterBytes else { return .needsText }
        guard let inRepetition = part(repetition, of: range, splitOn: delimiters.repetition),
              let inComponent = part(component, of: inRepetition, splitOn: delimiters.component),
              let value = part(subcomponent, of: inComponent, splitOn: delimiters.subcomponent) else { return .absent }
        return .found(value)
    }
}
