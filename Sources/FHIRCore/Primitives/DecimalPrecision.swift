/// The precision a decimal's text implies (https://hl7.org/fhir/R4/search.html#number): `100` means
/// [99.5, 100.5), `100.00` means [99.995, 100.005). The index and the search values both read it here.
public enum DecimalPrecision {
    /// The power of ten of the last significant digit of `text` (`5.40` → -2, `100` → 0, `1e3` → 3,
    /// `2.5E-2` → -3); nil when `text` is not a decimal: an optional sign, digits, optionally `.` and
    /// digits, optionally `e`/`E` and a whole exponent.
    public static func lastDigitExponent(of text: String) -> Int? {
        var rest = Substring(text)
        if rest.first == "-" || rest.first == "+" { rest = rest.dropFirst() }
        var exponent = 0
        if let marker = rest.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let value = Int(rest[rest.index(after: marker)...]) else { return nil }
            exponent = value
            rest = rest[..<marker]
        }
        let pieces = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let allDigits = { (piece: Substring) in !piece.isEmpty && piece.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        guard allDigits(pieces[0]), pieces.count == 1 || allDigits(pieces[1]) else { return nil }
        return exponent - (pieces.count > 1 ? pieces[1].count : 0)
    }
}
