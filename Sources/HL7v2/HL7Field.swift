/// One field of a segment as written in ER7, with its repetitions, components and subcomponents read on access.
///
/// The field keeps its raw (escaped) text, so writing a message back gives the same bytes; values come out
/// unescaped (`value`, `HL7Component.subcomponents`). Numbers are 1-based as in the standard (`repetition(2)`).
/// MSH-1 and MSH-2 (and the same fields of FHS/BHS) hold the delimiters themselves: they have one repetition,
/// one component, and their text is returned as written.
public struct HL7Field: Sendable, Hashable {
    /// The text this field is a slice of (shared with the other fields read from the same input).
    var text: HL7Text
    /// Where the field's raw text sits in `text.bytes`.
    var range: Range<Int>
    /// True for MSH-1/MSH-2 (FHS, BHS): the text is never split or unescaped.
    public var holdsDelimiters: Bool

    /// A field from its raw ER7 text.
    public init(raw: String, encoding: HL7EncodingCharacters = .standard, characterSet: HL7CharacterSet = .utf8,
                holdsDelimiters: Bool = false) {
        let bytes = Array(raw.utf8)
        self.init(text: HL7Text(bytes: bytes, encoding: encoding, characterSet: characterSet), range: 0..<bytes.count,
                  holdsDelimiters: holdsDelimiters)
    }

    /// A field that is `range` of `text` (how the reader makes them, without copying).
    init(text: HL7Text, range: Range<Int>, holdsDelimiters: Bool = false) {
        self.text = text
        self.range = range
        self.holdsDelimiters = holdsDelimiters
    }

    /// A field holding one value per component (escaped as needed), e.g. `["DOE", "JOHN"]` -> `DOE^JOHN`.
    public init(components: [String], encoding: HL7EncodingCharacters = .standard) {
        let escaped = components.map { HL7Escaping.escape($0, encoding: encoding) }
        self.init(raw: escaped.joined(separator: String(encoding.component)), encoding: encoding)
    }

    /// The field's text as written in the message, escape sequences included.
    public var raw: String {
        get { text.string(range) }
        set {
            let bytes = Array(newValue.utf8)
            text = HL7Text(bytes: bytes, encoding: text.encoding, characterSet: text.characterSet)
            range = 0..<bytes.count
        }
    }

    /// The delimiters of the message the field belongs to.
    public var encoding: HL7EncodingCharacters {
        get { text.encoding }
        set { text = HL7Text(bytes: text.bytes, encoding: newValue, characterSet: text.characterSet) }
    }

    /// The character set used for `\Xhh\` escapes.
    public var characterSet: HL7CharacterSet {
        get { text.characterSet }
        set { text = HL7Text(bytes: text.bytes, encoding: text.encoding, characterSet: newValue) }
    }

    /// True when nothing is written in the field.
    public var isEmpty: Bool { range.isEmpty }
    /// True for the explicit null `""` (HL7: the receiver should delete its value).
    public var isNull: Bool {
        range.count == 2 && text.bytes[range.lowerBound] == 0x22 && text.bytes[range.lowerBound + 1] == 0x22
    }

    /// The repetitions (at least one, possibly empty).
    public var repetitions: [HL7Repetition] {
        let raw = raw
        let parts = holdsDelimiters ? [raw[...]] : HL7Split.split(raw[...], on: encoding.repetition)
        return parts.map { HL7Repetition(raw: $0, encoding: encoding, characterSet: characterSet, holdsDelimiters: holdsDelimiters) }
    }

    /// Repetition `number` (1-based), or nil when there are fewer.
    public func repetition(_ number: Int) -> HL7Repetition? {
        let all = repetitions
        return number >= 1 && number <= all.count ? all[number - 1] : nil
    }

    /// The first subcomponent of the first component of the first repetition, unescaped (`PID-5` reads as `PID-5.1`).
    public var value: String { value(repetition: 1, component: 1, subcomponent: 1) ?? "" }

    /// Subcomponent `subcomponent` of component `component` of repetition `repetition` (1-based), unescaped, or
    /// nil when the field has fewer. Reads only the bytes of that value.
    func value(repetition: Int, component: Int, subcomponent: Int) -> String? {
        switch text.leaf(of: range, holdsDelimiters: holdsDelimiters, repetition: repetition, component: component,
                         subcomponent: subcomponent) {
        case .found(let leaf): return holdsDelimiters ? text.string(leaf) : text.unescaped(leaf)
        case .absent: return nil
        case .needsText: return self.repetition(repetition)?.component(component)?.subcomponent(subcomponent)
        }
    }

    /// The non-empty values at `component`.`subcomponent` of every repetition, or nil when the delimiters are not
    /// ASCII (split `repetitions` then).
    func leafValues(component: Int, subcomponent: Int) -> [String]? {
        if holdsDelimiters {
            return component == 1 && subcomponent == 1 && !range.isEmpty ? [text.string(range)] : []
        }
        guard let delimiters = text.delimiterBytes else { return nil }
        var values: [String] = []
        var start = range.lowerBound
        while true {
            let end = text.firstIndex(of: delimiters.repetition, in: start..<range.upperBound) ?? range.upperBound
            if let inComponent = text.part(component, of: start..<end, splitOn: delimiters.component),
               let leaf = text.part(subcomponent, of: inComponent, splitOn: delimiters.subcomponent), !leaf.isEmpty {
                values.append(text.unescaped(leaf))
            }
            guard end < range.upperBound else { return values }
            start = end + 1
        }
    }

    /// Fields are equal when their text, delimiters, character set and role are.
    public static func == (left: HL7Field, right: HL7Field) -> Bool {
        guard left.holdsDelimiters == right.holdsDelimiters, left.range.count == right.range.count,
              left.text.encoding == right.text.encoding, left.text.characterSet == right.text.characterSet else { return false }
        if left.text === right.text && left.range == right.range { return true }
        return left.text.bytes[left.range].elementsEqual(right.text.bytes[right.range])
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        text.bytes.withUnsafeBytes { hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: $0[range])) }
        hasher.combine(range.count)
        hasher.combine(text.encoding)
        hasher.combine(text.characterSet)
        hasher.combine(holdsDelimiters)
    }
}

/// One repetition of a field.
public struct HL7Repetition: Sendable, Hashable {
    /// The repetition's text as written.
    public var raw: Substring
    let encoding: HL7EncodingCharacters
    let characterSet: HL7CharacterSet
    let holdsDelimiters: Bool

    init(raw: Substring, encoding: HL7EncodingCharacters, characterSet: HL7CharacterSet, holdsDelimiters: Bool) {
        self.raw = raw
        self.encoding = encoding
        self.characterSet = characterSet
        self.holdsDelimiters = holdsDelimiters
    }

    /// The components (at least one).
    public var components: [HL7Component] {
        let parts = holdsDelimiters ? [raw] : HL7Split.split(raw, on: encoding.component)
        return parts.map { HL7Component(raw: $0, encoding: encoding, characterSet: characterSet, holdsDelimiters: holdsDelimiters) }
    }

    /// Component `number` (1-based), or nil when there are fewer.
    public func component(_ number: Int) -> HL7Component? {
        let all = components
        return number >= 1 && number <= all.count ? all[number - 1] : nil
    }

    /// The first subcomponent of the first component, unescaped.
    public var value: String { component(1)?.value ?? "" }
}

/// One component of a repetition.
public struct HL7Component: Sendable, Hashable {
    /// The component's text as written.
    public var raw: Substring
    let encoding: HL7EncodingCharacters
    let characterSet: HL7CharacterSet
    let holdsDelimiters: Bool

    init(raw: Substring, encoding: HL7EncodingCharacters, characterSet: HL7CharacterSet, holdsDelimiters: Bool) {
        self.raw = raw
        self.encoding = encoding
        self.characterSet = characterSet
        self.holdsDelimiters = holdsDelimiters
    }

    /// The subcomponents as written (at least one; exactly one when the message has no subcomponent separator).
    public var rawSubcomponents: [Substring] {
        holdsDelimiters ? [raw] : HL7Split.split(raw, on: encoding.subcomponent)
    }

    /// The subcomponents, unescaped.
    public var subcomponents: [String] { rawSubcomponents.map(unescape) }

    /// Subcomponent `number` (1-based) unescaped, or nil when there are fewer.
    public func subcomponent(_ number: Int) -> String? {
        let all = rawSubcomponents
        return number >= 1 && number <= all.count ? unescape(all[number - 1]) : nil
    }

    /// The first subcomponent, unescaped.
    public var value: String { subcomponent(1) ?? "" }

    private func unescape(_ text: Substring) -> String {
        holdsDelimiters ? String(text) : HL7Escaping.unescape(text, encoding: encoding, characterSet: characterSet)
    }
}

/// Splitting text on one delimiter, keeping empty parts, so that joining the parts with it gives the text back.
enum HL7Split {
    static func split(_ text: Substring, on delimiter: Unicode.Scalar?) -> [Substring] {
        guard let delimiter else { return [text] }
        guard delimiter.isASCII else {
            return text.unicodeScalars.split(separator: delimiter, omittingEmptySubsequences: false).map { Substring($0) }
        }
        let byte = UInt8(truncatingIfNeeded: delimiter.value)
        let utf8 = text.utf8
        var parts: [Substring] = []
        var start = utf8.startIndex
        var index = start
        while index < utf8.endIndex {
            if utf8[index] == byte {
                parts.append(text[start..<index])
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        parts.append(text[start..<utf8.endIndex])
        return parts
    }
}
