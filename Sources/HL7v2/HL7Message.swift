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
        guard let type = header.field(9)?.repetition(1)?.component(1)?.value, !type.isEmpty else {
            throw HL7ParseError(.missingRequiredField, segmentIndex: firstIndex, segmentID: "MSH", field: 9,
                                reason: "MSH-9 (message type) is empty")
        }
        let version = header.field(12)?.repetition(1)?.component(1)?.value ?? ""
        guard version.isEmpty || Self.isVersion(version) else {
            throw HL7ParseError(.invalidVersion, segmentIndex: firstIndex, segmentID: "MSH", field: 12,
                                reason: "MSH-12 \"\(version.prefix(20))\" is not an HL7 v2 version such as 2.5 or 2.5.1")
        }
        self.init(segments: segments, encoding: header.fields.first?.encoding ?? .standard, characterSet: characterSet)
    }

    /// `2.n` or `2.n.n`, each number of 1 to 4 digits (MSH-12.1, HL7 table 0104).
    static func isVersion(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count >= 2 && parts.count <= 3 && parts[0] == "2"
            && parts.dropFirst().allSatisfy { !$0.isEmpty && $0.count <= 4 && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }

    static func isEnvelope(_ id: String) -> Bool { ["MSH", "FHS", "BHS", "BTS", "FTS"].contains(id) }

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
        let matching = segments(path.segmentID)
        let index = (path.occurrence ?? 1) - 1
        guard index >= 0, index < matching.count else { return nil }
        return path.value(in: matching[index], repetition: path.repetition ?? 1)
    }

    /// Every non-empty value at `path`: all segments of the ID unless `[n]` is given, all repetitions unless
    /// `(r)` is given (`values("PID-3.1")` lists every patient identifier). Empty for an invalid path.
    public func values(_ path: String) -> [String] {
        guard let parsed = try? HL7Path(path) else { return [] }
        return values(at: parsed)
    }

    /// Every non-empty value at `path` (see `values(_:)`).
    public func values(at path: HL7Path) -> [String] {
        var matching = segments(path.segmentID)
        if let occurrence = path.occurrence {
            matching = occurrence >= 1 && occurrence <= matching.count ? [matching[occurrence - 1]] : []
        }
        return matching.flatMap { segment -> [String] in
            if let repetition = path.repetition { return path.value(in: segment, repetition: repetition).map { [$0] } ?? [] }
            return segment.field(path.field)?.repetitions.compactMap { path.value(in: $0) } ?? []
        }
    }

    /// MSH-9.1, e.g. `ADT`.
    public var messageType: String? { value("MSH-9.1") }
    /// MSH-9.2, e.g. `A01`.
    public var triggerEvent: String? { value("MSH-9.2") }
    /// MSH-10, the sender's message control ID.
    public var controlID: String? { value("MSH-10") }
    /// MSH-12.1, e.g. `2.5.1`.
    public var version: String? { value("MSH-12.1") }
}
