/// One HL7 v2 message in ER7 form: an MSH segment and the segments after it, in order (Z-segments included).
///
/// Reading keeps every field's text as written, so `HL7Encoder().encode(message)` gives the input back
/// byte for byte (segments end with CR; a UTF-8 BOM and blank lines are not kept). Values come out unescaped:
///
/// ```swift
/// let message = try HL7Message(parsing: bytes)
/// message["PID-5.1"]        // "DOE"
/// message.value("OBX-5")    // first OBX, field 5, component 1
/// message.values("PID-3.1") // every repetition of PID-3, component 1
/// ```
/// See `HL7Path` for the path grammar.
public struct HL7Message: Sendable, Hashable {
    /// The segments in order; the first is MSH.
    public var segments: [HL7Segment]
    /// The delimiters from MSH-1 and MSH-2.
    public var encoding: HL7EncodingCharacters
    /// How the bytes were read (from MSH-18) and how `HL7Encoder` writes them.
    public var characterSet: HL7CharacterSet

    /// A message from segments (the first should be MSH).
    public init(segments: [HL7Segment], encoding: HL7EncodingCharacters = .standard, characterSet: HL7CharacterSet = .utf8) {
        self.segments = segments
        self.encoding = encoding
        self.characterSet = characterSet
    }

    /// Reads one message from ER7 bytes, decoded per MSH-18 (see `HL7CharacterSet`).
    /// - Throws: `HL7ParseError` with the segment and field where reading failed; input holding FHS/BHS or
    ///   several MSH segments is refused with `.unexpectedSegment` (read it with `HL7Batch`).
    public init(parsing bytes: [UInt8], options: HL7ParseOptions = HL7ParseOptions()) throws(HL7ParseError) {
        let (segments, characterSet) = try HL7Reader.read(bytes, options: options)
        try self.init(segments: segments, firstIndex: 1, characterSet: characterSet)
    }

    /// Reads one message from text that is already decoded; `characterSet` is then taken from MSH-18 only to
    /// decide how `HL7Encoder` writes bytes.
    public init(parsing text: String, options: HL7ParseOptions = HL7ParseOptions()) throws(HL7ParseError) {
        let (segments, characterSet) = try HL7Reader.read(Array(text.utf8), options: options, decoded: true)
        try self.init(segments: segments, firstIndex: 1, characterSet: characterSet)
    }

    /// Checks and assembles the segments of one message; `firstIndex` is the input position of `segments[0]`.
    init(segments: [HL7Segment], firstIndex: Int, characterSet: HL7CharacterSet) throws(HL7ParseError) {
        guard let header = segments.first else { throw HL7ParseError(.emptyInput, reason: "the message holds no segment") }
        guard header.id == "MSH" else {
            throw HL7ParseError(.missingHeader, segmentIndex: firstIndex, segmentID: header.id,
                                reason: "a message starts with MSH, not \(header.id) (read batches with HL7Batch)")
        }
        for (offset, segment) in segments.enumerated().dropFirst() where Self.isEnvelope(segment.id) {
            throw HL7ParseError(.unexpectedSegment, segmentIndex: firstIndex + offset, segmentID: segment.id,
                                reason: "\(segment.id) cannot appear inside a message (read several messages with HL7Batch)")
        }
        guard let type = header.field(9)?.value, !type.isEmpty else {
            throw HL7ParseError(.missingRequiredField, segmentIndex: firstIndex, segmentID: "MSH", field: 9,
                                reason: "MSH-9 (message type) is empty")
        }
        let version = header.field(12)?.value ?? ""
        guard version.isEmpty || Self.isVersion(version) else {
            throw HL7ParseError(.invalidVersion, segmentIndex: firstIndex, segmentID: "MSH", field: 12,
                                reason: "MSH-12 \"\(version.prefix(20))\" is not an HL7 v2 version such as 2.5 or 2.5.1")
        }
        self.init(segments: segments, encoding: header.field(1)?.encoding ?? .standard, characterSet: characterSet)
    }

    /// `2.n` or `2.n.n`, each number of 1 to 4 digits (MSH-12.1, HL7 table 0104).
    static func isVersion(_ text: String) -> Bool {
        var parts = 1
        var digits = 0
        for (offset, byte) in text.utf8.enumerated() {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return false }
                parts += 1
                digits = 0
            } else if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                guard offset > 0 || byte == UInt8(ascii: "2") else { return false }
                digits += 1
                guard digits <= 4, parts > 1 || digits == 1 else { return false }
            } else {
                return false
            }
        }
        return parts >= 2 && digits > 0
    }

    static func isEnvelope(_ id: String) -> Bool {
        guard let first = id.utf8.first,
              first == UInt8(ascii: "M") || first == UInt8(ascii: "F") || first == UInt8(ascii: "B") else { return false }
        return id == "MSH" || id == "FHS" || id == "BHS" || id == "BTS" || id == "FTS"
    }

    /// The message header (the first segment).
    public var header: HL7Segment? { segments.first }

    /// The first segment with this ID.
    public func segment(_ id: String) -> HL7Segment? { segments.first { $0.id == id } }

    /// Every segment with this ID, in order.
    public func segments(_ id: String) -> [HL7Segment] { segments.filter { $0.id == id } }

    /// The unescaped value at `path` (`PID-5.1`), or nil when the path is not valid, absent or empty.
    public subscript(path: String) -> String? { value(path) }

    /// The unescaped value at `path` (`PID-5.1`), or nil when the path is not valid, absent or empty.
    public func value(_ path: String) -> String? {
        guard let parsed = try? HL7Path(path) else { return nil }
        return value(at: parsed)
    }

    /// The unescaped value at `path`, or nil when absent or empty.
    public func value(at path: HL7Path) -> String? {
        let wanted = path.occurrence ?? 1
        var seen = 0
        for index in segments.indices where segments[index].id == path.segmentID {
            seen += 1
            if seen == wanted { return path.value(in: segments[index], repetition: path.repetition ?? 1) }
        }
        return nil
    }

    /// Every non-empty value at `path`: all segments of the ID unless `[n]` is given, all repetitions unless
    /// `(r)` is given (`values("PID-3.1")` lists every patient identifier). Empty for an invalid path.
    public func values(_ path: String) -> [String] {
        guard let parsed = try? HL7Path(path) else { return [] }
        return values(at: parsed)
    }

    /// Every non-empty value at `path` (see `values(_:)`).
    public func values(at path: HL7Path) -> [String] {
        var found: [String] = []
        var seen = 0
        for index in segments.indices where segments[index].id == path.segmentID {
            seen += 1
            if let occurrence = path.occurrence, occurrence != seen { continue }
            if let repetition = path.repetition {
                if let value = path.value(in: segments[index], repetition: repetition) { found.append(value) }
            } else if let field = segments[index].field(path.field) {
                found += path.values(in: field)
            }
        }
        return found
    }

    /// MSH-9.1, e.g. `ADT`.
    public var messageType: String? { value(at: HL7Path(header: 9, component: 1)) }
    /// MSH-9.2, e.g. `A01`.
    public var triggerEvent: String? { value(at: HL7Path(header: 9, component: 2)) }
    /// MSH-10, the sender's message control ID.
    public var controlID: String? { value(at: HL7Path(header: 10, component: nil)) }
    /// MSH-12.1, e.g. `2.5.1`.
    public var version: String? { value(at: HL7Path(header: 12, component: 1)) }
}

extension HL7Path {
    /// `MSH-field.component`, made without reading text (the header's fields are read for every message).
    init(header field: Int, component: Int?) {
        segmentID = "MSH"
        self.field = field
        self.component = component
    }
}
