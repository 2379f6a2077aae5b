extension StringProtocol {
    /// Without leading and trailing white space (tab and the Unicode space separators): what Foundation's
    /// `trimmingCharacters(in: .whitespaces)` gives, without bridging through `NSString`, which cost the
    /// mappings (every field of every message is trimmed) more than reading the field itself.
    func trimmingWhitespace() -> String {
        trimming { $0.isSpace }
    }

    /// Without leading and trailing white space or line breaks (`.whitespacesAndNewlines`).
    func trimmingWhitespaceAndNewlines() -> String {
        trimming { $0.isSpace || $0.isLineBreak }
    }

    private func trimming(_ dropped: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !dropped($0) }), let last = scalars.lastIndex(where: { !dropped($0) })
        else { return "" }
        return String(decoding: utf8[first..<scalars.index(after: last)], as: UTF8.self)
    }
}

extension Unicode.Scalar {
    /// Tab, a space separator (general category Zs) or the zero width space, as Foundation's `.whitespaces`.
    fileprivate var isSpace: Bool {
        value < 0x80 ? (self == " " || self == "\t") : (properties.generalCategory == .spaceSeparator || value == 0x200B)
    }

    /// LF, VT, FF, CR, NEL, or the line and paragraph separators.
    fileprivate var isLineBreak: Bool {
        (0x0A...0x0D).contains(value) || value == 0x85 || value == 0x2028 || value == 0x2029
    }
}
