import SafeXML

/// Reads HL7 v2.xml (the XML encoding of HL7 v2, namespace `urn:hl7-org:v2xml`) into the same `HL7Message` as
/// ER7, so that every mapping written for ER7 reads both encodings unchanged.
///
/// The document is parsed by `SafeXMLParser` (no DTD, no entities, limits), turned into ER7 text with the
/// delimiters its `MSH.1`/`MSH.2` declare (standard ones when absent), each value escaped (`\F\ \S\ \T\ \R\ \E\`),
/// and read with `HL7Message(parsing:)`, so both encodings pass through the same checks. Layout read:
/// - the root is named after the message structure (`<ORU_R01>`, `<ACK>`: `[A-Z][A-Z0-9]{2}`, optionally `_` and
///   three more); its children are segments or groups;
/// - a segment is an element named like a segment ID (`<PID>`, `<ZPI>`); a group is named after the root, a dot
///   and the group name (`<ORU_R01.PATIENT_RESULT>`); groups are flattened, segments taken in document order;
/// - a segment's children are its fields, `<PID.5>` (segment ID, dot, number); a field element written several
///   times gives one repetition each, in order. A child whose name does not end in `.n` (`<MSA.XXXXXXXX>`, from
///   schema-invalid senders) is skipped, as HAPI does; a numbered field of another segment (`<OBX.5>` in `<PID>`)
///   is refused;
/// - a field holds text, or components named `<TYPE.n>` (`<XPN.1>`); a component holds text or sub-components
///   `<TYPE.n>` (`<FN.1>`); a field may also wrap each repetition's components in an element named after the data
///   type (`<QPD.3><QIP><QIP.1>...</QIP></QPD.3>`);
/// - `<escape V=".br"/>` inside text stands for the ER7 escape sequence `\.br\` and is unescaped like it (V
///   may not hold a delimiter or line break); whitespace-only text between elements is indentation, ignored.
/// Elements must be in the v2.xml namespace or in none. Anything else is `.invalidXMLStructure` with the segment
/// and field; a document the XML parser refuses is `.invalidXML`.
public struct HL7XMLReader: Sendable {
    /// The v2.xml namespace, `urn:hl7-org:v2xml`.
    public static let namespace = "urn:hl7-org:v2xml"

    /// Parses the XML (its limits and DOCTYPE policy).
    public var xmlParser: SafeXMLParser
    /// Limits applied to the message read (segments, fields, repetitions).
    public var options: HL7ParseOptions

    /// A reader with the given XML parser and message limits.
    public init(xmlParser: SafeXMLParser = SafeXMLParser(), options: HL7ParseOptions = HL7ParseOptions()) {
        self.xmlParser = xmlParser
        self.options = options
    }

    /// Whether `document` is v2.xml: its root is in the v2.xml namespace, or in none with a message structure
    /// name (`ORU_R01`) and an `<MSH>` first child (older senders write no namespace).
    public static func isV2XML(_ document: SafeXMLElement) -> Bool {
        if document.namespaceURI == namespace { return true }
        return document.namespaceURI == nil && isMessageStructure(document.name) && document.children.first?.name == "MSH"
    }

    /// The message in a v2.xml document.
    /// - Throws: `.invalidXML` when the XML is refused, `.invalidXMLStructure` when it is not v2.xml, or what
    ///   reading the message as ER7 finds (`.missingRequiredField` for an empty MSH-9, ...).
    public func read(_ bytes: [UInt8]) throws(HL7ParseError) -> HL7Message {
        try read(parseXML(bytes))
    }

    /// The message in an already parsed v2.xml document.
    public func read(_ document: SafeXMLElement) throws(HL7ParseError) -> HL7Message {
        try HL7Message(parsing: er7(from: document), options: options)
    }

    /// The document as ER7 text (segments ending with CR), values escaped with the message's delimiters.
    public func er7(from document: SafeXMLElement) throws(HL7ParseError) -> String {
        try checkNamespace(document, segmentID: nil)
        guard Self.isMessageStructure(document.name) else {
            throw HL7ParseError(.invalidXMLStructure, reason: "the root element <\(document.name.prefix(40))> is not "
                                    + "named after a message structure such as ORU_R01 or ACK")
        }
        var segments: [SafeXMLElement] = []
        try collectSegments(in: document, into: &segments, structure: document.name)
        guard let header = segments.first else {
            throw HL7ParseError(.emptyInput, reason: "<\(document.name)> holds no segment")
        }
        guard header.name == "MSH" else {
            throw HL7ParseError(.missingHeader, segmentIndex: 1, segmentID: header.name,
                                reason: "a v2.xml message starts with <MSH>, not <\(header.name)>")
        }
        let encoding = try encodingCharacters(of: header)
        var text = ""
        for (offset, segment) in segments.enumerated() {
            var writer = HL7XMLSegmentWriter(segment: segment, index: offset + 1, encoding: encoding,
                                             options: options, reader: self)
            text += try writer.write()
            text += "\r"
        }
        return text
    }

    func parseXML(_ bytes: [UInt8]) throws(HL7ParseError) -> SafeXMLElement {
        do {
            return try xmlParser.parse(bytes)
        } catch {
            throw HL7ParseError(.invalidXML, reason: "the v2.xml document was refused: \(error)")
        }
    }

    /// Segments of `element` (the message or a group of `structure`) in document order, groups flattened.
    func collectSegments(in element: SafeXMLElement, into segments: inout [SafeXMLElement],
                         structure: String) throws(HL7ParseError) {
        for item in element.content {
            switch item {
            case .text(let text):
                guard Self.isBlank(text) else {
                    throw HL7ParseError(.invalidXMLStructure, segmentIndex: segments.count + 1,
                                        reason: "text \"\(text.prefix(40))\" in <\(element.name)>, where segments or "
                                            + "groups are expected")
                }
            case .element(let child):
                try checkNamespace(child, segmentID: nil)
                if Self.isSegmentID(child.name) {
                    segments.append(child)
                    guard segments.count <= options.maxSegments else {
                        throw HL7ParseError(.limitExceeded, reason: "the document holds more than "
                                                + "\(options.maxSegments) segments")
                    }
                } else if child.name.hasPrefix(structure + "."), child.name.count > structure.count + 1 {
                    try collectSegments(in: child, into: &segments, structure: structure)
                } else {
                    throw HL7ParseError(.invalidXMLStructure, segmentIndex: segments.count + 1,
                                        reason: "<\(child.name.prefix(40))> in <\(element.name.prefix(40))> is neither "
                                            + "a segment nor a group of \(structure) (<\(structure).NAME>)")
                }
            }
        }
    }

    /// The delimiters from `MSH.1` and `MSH.2` (the standard ones when both are absent).
    func encodingCharacters(of header: SafeXMLElement) throws(HL7ParseError) -> HL7EncodingCharacters {
        let field = header.firstChild(named: "MSH.1")?.text
        let characters = header.firstChild(named: "MSH.2")?.text
        guard field != nil || characters != nil else { return .standard }
        let separators = Array((field ?? "|").unicodeScalars)
        guard separators.count == 1 else {
            throw HL7ParseError(.invalidFieldSeparator, segmentIndex: 1, segmentID: "MSH", field: 1,
                                reason: "<MSH.1> must hold one character, not \"\(field?.prefix(10) ?? "")\"")
        }
        do {
            return try HL7EncodingCharacters(fieldSeparator: separators[0], encodingCharacters: characters ?? "^~\\&")
        } catch {
            var located = error
            located.segmentIndex = 1
            located.segmentID = "MSH"
            throw located
        }
    }

    /// Refuses an element in a namespace other than v2.xml's (none is accepted: older senders write none).
    func checkNamespace(_ element: SafeXMLElement, segmentID: String?, field: Int? = nil) throws(HL7ParseError) {
        guard let namespace = element.namespaceURI, namespace != Self.namespace else { return }
        throw HL7ParseError(.invalidXMLStructure, segmentID: segmentID, field: field,
                            reason: "<\(element.qualifiedName)> is in the namespace \(namespace.prefix(80)), "
                                + "not \(Self.namespace)")
    }

    /// `[A-Z][A-Z0-9]{2}`, as ER7 segment IDs.
    static func isSegmentID(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count == 3, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(bytes[0]) else { return false }
        return bytes.dropFirst().allSatisfy {
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
        }
    }

    /// `ACK`, `ORU_R01`: a message structure ID as v2.xml names its root element.
    static func isMessageStructure(_ name: String) -> Bool {
        guard name.utf8.count == 7 else { return isSegmentID(name) }
        let parts = name.split(separator: "_", omittingEmptySubsequences: false)
        return parts.count == 2 && isSegmentID(String(parts[0])) && parts[1].utf8.count == 3
            && parts[1].utf8.allSatisfy {
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
            }
    }

    static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
    }
}

extension HL7Message {
    /// Reads one message from HL7 v2.xml bytes with the default limits (see `HL7XMLReader`).
    public init(parsingXML bytes: [UInt8]) throws(HL7ParseError) {
        self = try HL7XMLReader().read(bytes)
    }
}
