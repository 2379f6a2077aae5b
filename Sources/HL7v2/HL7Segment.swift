/// One segment: a three-character ID (`PID`, `OBX`, `ZPI`, ...) and its fields, numbered from 1 as in the standard.
///
/// For the header segments `MSH`, `FHS` and `BHS`, field 1 is the field separator and field 2 the encoding
/// characters, so `field(9)` of an MSH is MSH-9 as the standard numbers it.
public struct HL7Segment: Sendable, Hashable {
    /// The segment ID, e.g. `PID`. Z-segments are kept like any other.
    public var id: String
    /// The fields in order: `fields[0]` is field 1.
    public var fields: [HL7Field]

    /// A segment from its ID and fields (`fields[0]` is field 1).
    public init(id: String, fields: [HL7Field]) {
        self.id = id
        self.fields = fields
    }

    /// A segment whose fields are given as raw ER7 text (field 1 first); for MSH/FHS/BHS, fields 1 and 2 are the
    /// delimiters and are taken from `encoding`, and `rawFields` starts at field 3.
    public init(id: String, rawFields: [String], encoding: HL7EncodingCharacters = .standard,
                characterSet: HL7CharacterSet = .utf8) {
        var fields: [HL7Field] = []
        if HL7Segment.isHeader(id) {
            fields.append(HL7Field(raw: String(encoding.field), encoding: encoding, characterSet: characterSet,
                                   holdsDelimiters: true))
            fields.append(HL7Field(raw: encoding.encodingCharactersText, encoding: encoding,
                                   characterSet: characterSet, holdsDelimiters: true))
        }
        fields += rawFields.map { HL7Field(raw: $0, encoding: encoding, characterSet: characterSet) }
        self.init(id: id, fields: fields)
    }

    /// True for MSH, FHS and BHS, whose fields 1 and 2 define the delimiters.
    public var isHeader: Bool { Self.isHeader(id) }

    /// Field `number` (1-based, spec numbering), or nil past the last field written.
    public func field(_ number: Int) -> HL7Field? {
        number >= 1 && number <= fields.count ? fields[number - 1] : nil
    }

    /// The value of field `number` (first repetition, component and subcomponent, unescaped); empty when absent.
    public subscript(number: Int) -> String { field(number)?.value ?? "" }

    static func isHeader(_ id: String) -> Bool { id == "MSH" || id == "FHS" || id == "BHS" }

    /// Whether `bytes` form a segment ID: an upper-case letter, then two upper-case letters or digits.
    static func isValidID(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count == 3, let first = bytes.first, first >= 0x41, first <= 0x5A else { return false }
        return bytes.dropFirst().allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) }
    }
}
