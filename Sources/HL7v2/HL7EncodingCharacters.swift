/// The delimiters of one message, read from MSH-1 (field separator) and MSH-2 (the encoding characters).
///
/// MSH-2 holds, in this order: component separator, repetition separator, escape character, subcomponent
/// separator and (v2.7 and later) the truncation character, as in `^~\&` or `^~\&#`. Rules applied when reading it:
/// - at least three characters (component, repetition, escape) and at most five; a message whose MSH-2 has
///   no fourth character has no subcomponents (seen in the wild as `^~&` or `~\&`);
/// - a doubled escape character in the third and fourth places (`^~\\&`, written by senders that escaped the
///   backslash in their source code) counts once, so `^~\\&` reads as `^~\&`;
/// - every delimiter differs from the others and from the field separator, and none is a letter, a digit,
///   white space or a control character (the field separator must also be ASCII).
public struct HL7EncodingCharacters: Sendable, Hashable {
    /// MSH-1, `|` in practice.
    public var field: Unicode.Scalar
    /// Separates components (`^`).
    public var component: Unicode.Scalar
    /// Separates repetitions (`~`).
    public var repetition: Unicode.Scalar
    /// Starts and ends escape sequences (`\`).
    public var escape: Unicode.Scalar
    /// Separates subcomponents (`&`); nil when MSH-2 has no fourth character.
    public var subcomponent: Unicode.Scalar?
    /// The v2.7 truncation character (`#`); nil before v2.7. It is data, never a separator.
    public var truncation: Unicode.Scalar?

    /// `|^~\&`, the delimiters nearly every message uses.
    public static let standard = HL7EncodingCharacters(
        field: "|", component: "^", repetition: "~", escape: "\\", subcomponent: "&", truncation: nil)

    /// Delimiters given one by one (for building messages); `validate()` is not applied.
    public init(field: Unicode.Scalar, component: Unicode.Scalar, repetition: Unicode.Scalar,
                escape: Unicode.Scalar, subcomponent: Unicode.Scalar?, truncation: Unicode.Scalar? = nil) {
        self.field = field
        self.component = component
        self.repetition = repetition
        self.escape = escape
        self.subcomponent = subcomponent
        self.truncation = truncation
    }

    /// Reads MSH-2 (`encodingCharacters`, as written) with the field separator from MSH-1, applying the rules above.
    public init(fieldSeparator: Unicode.Scalar, encodingCharacters: String) throws(HL7ParseError) {
        guard fieldSeparator.isASCII, Self.canDelimit(fieldSeparator) else {
            throw HL7ParseError(.invalidFieldSeparator, field: 1,
                                reason: "the field separator \(Self.show(fieldSeparator)) is not a usable ASCII delimiter")
        }
        var scalars = Array(encodingCharacters.unicodeScalars)
        if scalars.count == 5, scalars[2] == scalars[3] { scalars.remove(at: 3) }
        guard scalars.count >= 3, scalars.count <= 5 else {
            throw HL7ParseError(.invalidEncodingCharacters, field: 2,
                                reason: "MSH-2 \"\(encodingCharacters)\" must hold 3 to 5 characters (component, "
                                    + "repetition, escape, subcomponent, truncation), not \(scalars.count)")
        }
        var seen: Set<Unicode.Scalar> = [fieldSeparator]
        for scalar in scalars {
            guard Self.canDelimit(scalar) else {
                throw HL7ParseError(.invalidEncodingCharacters, field: 2,
                                    reason: "MSH-2 \"\(encodingCharacters)\" holds \(Self.show(scalar)), "
                                        + "which cannot be a delimiter (letter, digit, space or control character)")
            }
            guard seen.insert(scalar).inserted else {
                throw HL7ParseError(.invalidEncodingCharacters, field: 2,
                                    reason: "MSH-2 \"\(encodingCharacters)\" uses \(Self.show(scalar)) twice "
                                        + "(or repeats the field separator)")
            }
        }
        self.init(field: fieldSeparator, component: scalars[0], repetition: scalars[1], escape: scalars[2],
                  subcomponent: scalars.count > 3 ? scalars[3] : nil, truncation: scalars.count > 4 ? scalars[4] : nil)
    }

    /// MSH-2 as these delimiters would write it (`^~\&`, `^~\&#`).
    public var encodingCharactersText: String {
        var text = String(component) + String(repetition) + String(escape)
        if let subcomponent { text.unicodeScalars.append(subcomponent) }
        if let truncation { text.unicodeScalars.append(truncation) }
        return text
    }

    /// Whether `bytes` are exactly `encodingCharactersText` (so reading them gives these delimiters back):
    /// lets a reader skip checking the same MSH-2 again for every message of a stream.
    func isWritten(as bytes: ArraySlice<UInt8>) -> Bool {
        let length = 3 + (subcomponent == nil ? 0 : 1) + (truncation == nil ? 0 : 1)
        guard bytes.count == length else { return false }
        var index = bytes.startIndex
        func matches(_ scalar: Unicode.Scalar?) -> Bool {
            guard let scalar else { return true }
            defer { index += 1 }
            return scalar.isASCII && bytes[index] == UInt8(truncatingIfNeeded: scalar.value)
        }
        return matches(component) && matches(repetition) && matches(escape) && matches(subcomponent)
            && matches(truncation)
    }

    /// Whether a character may serve as a delimiter: printable, not a letter, digit or white space.
    static func canDelimit(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if properties.isAlphabetic || properties.isWhitespace || properties.numericType != nil { return false }
        switch properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .spaceSeparator, .lineSeparator,
             .paragraphSeparator, .nonspacingMark, .spacingMark, .enclosingMark:
            return false
        default:
            return true
        }
    }

    static func show(_ scalar: Unicode.Scalar) -> String {
        scalar.isASCII && scalar.value >= 0x21 && scalar.value < 0x7F
            ? "'\(scalar)'" : "U+" + String(scalar.value, radix: 16, uppercase: true)
    }
}
