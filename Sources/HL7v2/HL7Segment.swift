/// One segment: a three-character ID (`PID`, `OBX`, `ZPI`, ...) and its fields, numbered from 1 as in the standard.
///
/// For the header segments `MSH`, `FHS` and `BHS`, field 1 is the field separator and field 2 the encoding
/// characters, so `field(9)` of an MSH is MSH-9 as the standard numbers it.
public struct HL7Segment: Sendable, Hashable {
    /// The segment ID, e.g. `PID`. Z-segments are kept like any other.
    public var id: String
    /// How the fields are held: as read (offsets into the message's bytes, no field made until asked for) or as
    /// values set by code.
    var storage: Storage

    enum Storage: Sendable {
        /// Fields set by code.
        case fields([HL7Field])
        /// Fields as read: field `n` (0-based) is `bounds[2n]..<bounds[2n + 1]` of `text.bytes`; when `header`,
        /// fields 0 and 1 are MSH-1 and MSH-2.
        case slices(HL7Text, bounds: [UInt32], header: Bool)
    }

    /// A segment from its ID and fields (`fields[0]` is field 1).
    public init(id: String, fields: [HL7Field]) {
        self.id = id
        self.storage = .fields(fields)
    }

    /// A segment as the reader finds it.
    init(id: String, text: HL7Text, bounds: [UInt32], header: Bool) {
        self.id = id
        self.storage = .slices(text, bounds: bounds, header: header)
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

    /// The fields in order: `fields[0]` is field 1. Reading this makes every field; `field(_:)` makes one.
    public var fields: [HL7Field] {
        get {
            switch storage {
            case .fields(let fields): return fields
            case .slices: return (0..<fieldCount).map { storedField($0) }
            }
        }
        set { storage = .fields(newValue) }
    }

    /// How many fields are written.
    public var fieldCount: Int {
        switch storage {
        case .fields(let fields): fields.count
        case .slices(_, let bounds, _): bounds.count / 2
        }
    }

    /// True for MSH, FHS and BHS, whose fields 1 and 2 define the delimiters.
    public var isHeader: Bool { Self.isHeader(id) }

    /// Field `number` (1-based, spec numbering), or nil past the last field written.
    public func field(_ number: Int) -> HL7Field? {
        number >= 1 && number <= fieldCount ? storedField(number - 1) : nil
    }

    /// The field at 0-based `offset` (which must exist).
    func storedField(_ offset: Int) -> HL7Field {
        switch storage {
        case .fields(let fields):
            return fields[offset]
        case .slices(let text, let bounds, let header):
            return HL7Field(text: text, range: Int(bounds[2 * offset])..<Int(bounds[2 * offset + 1]),
                            holdsDelimiters: header && offset < 2)
        }
    }

    /// The value of field `number` (first repetition, component and subcomponent, unescaped); empty when absent.
    public subscript(number: Int) -> String { field(number)?.value ?? "" }

    /// Segments are equal when their IDs and fields are.
    public static func == (left: HL7Segment, right: HL7Segment) -> Bool {
        guard left.id == right.id, left.fieldCount == right.fieldCount else { return false }
        return (0..<left.fieldCount).allSatisfy { left.storedField($0) == right.storedField($0) }
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(fieldCount)
        for offset in 0..<fieldCount { hasher.combine(storedField(offset)) }
    }

    static func isHeader(_ id: String) -> Bool {
        guard id.utf8.count == 3, let first = id.utf8.first,
              first == UInt8(ascii: "M") || first == UInt8(ascii: "F") || first == UInt8(ascii: "B") else { return false }
        return id == "MSH" || id == "FHS" || id == "BHS"
    }

    /// Whether `bytes` form a segment ID: an upper-case letter, then two upper-case letters or digits.
    static func isValidID(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count == 3, let first = bytes.first, first >= 0x41, first <= 0x5A else { return false }
        return bytes.dropFirst().allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) }
    }
}
