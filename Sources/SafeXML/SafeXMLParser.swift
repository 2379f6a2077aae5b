import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses XML from untrusted senders into a `SafeXMLElement` tree, within limits.
///
/// Safety rules, applied in this order:
/// 1. more than `maximumBytes` is refused before anything else is read;
/// 2. the bytes are checked before libxml2 sees them: a document declaring entities (`<!ENTITY`) or holding a
///    DOCTYPE with an internal subset (`<!DOCTYPE r [ ... ]>`) is refused, so external entities (XXE), parameter
///    entities and entity expansion ("billion laughs") cannot occur; a DOCTYPE that only names an external DTD
///    (`<!DOCTYPE r SYSTEM "r.dtd">`, common in older HL7 v2.xml) is blanked out unread, or refused when
///    `acceptsExternalDoctype` is false. Nothing is ever fetched from a file or the network; references to
///    entities other than XML's five are refused;
/// 3. the well-known prefixes `xsi` and `sdtc`, when a fragment uses them without declaring them, are declared
///    on its root (`SafeXMLWellKnownPrefixes`);
/// 4. libxml2 (through FoundationXML) parses with external entity resolution off, and the tree is built under
///    the depth, element and attribute limits.
///
/// Accepted encodings are UTF-8 (checked to be valid), US-ASCII, ISO-8859-n and windows-125n as declared in the
/// XML declaration; UTF-16/UTF-32 documents are refused.
public struct SafeXMLParser: Sendable {
    /// Largest document read, in bytes (16 MiB by default).
    public var maximumBytes: Int
    /// Deepest element nesting, the root being depth 1 (256 by default; libxml2 itself stops at 256).
    public var maximumDepth: Int
    /// Most elements in one document (1,000,000 by default).
    public var maximumElements: Int
    /// Most attributes on one element (256 by default).
    public var maximumAttributesPerElement: Int
    /// Longest attribute value, in UTF-8 bytes (64 KiB by default).
    public var maximumAttributeLength: Int
    /// Whether a DOCTYPE naming only an external DTD is skipped (true, the default) or refused; its DTD is never
    /// read either way, and a DOCTYPE with an internal subset is always refused.
    public var acceptsExternalDoctype: Bool

    /// A parser with the given limits.
    public init(maximumBytes: Int = 16 << 20, maximumDepth: Int = 256, maximumElements: Int = 1_000_000,
                maximumAttributesPerElement: Int = 256, maximumAttributeLength: Int = 64 << 10,
                acceptsExternalDoctype: Bool = true) {
        self.maximumBytes = maximumBytes
        self.maximumDepth = maximumDepth
        self.maximumElements = maximumElements
        self.maximumAttributesPerElement = maximumAttributesPerElement
        self.maximumAttributeLength = maximumAttributeLength
        self.acceptsExternalDoctype = acceptsExternalDoctype
    }

    /// The root element of `bytes`.
    /// - Throws: `SafeXMLError` saying which rule or limit refused the document, with line and column when known.
    public func parse(_ bytes: [UInt8]) throws(SafeXMLError) -> SafeXMLElement {
        guard bytes.count <= maximumBytes else {
            throw SafeXMLError(.documentTooLarge, reason: "the document has \(bytes.count) bytes, more than the "
                                   + "limit of \(maximumBytes)")
        }
        guard bytes.contains(where: { $0 == UInt8(ascii: "<") }) else {
            throw SafeXMLError(.emptyDocument, line: 1, column: 1, reason: "the input holds no XML element")
        }
        let checked = try SafeXMLPrescan.check(bytes, acceptsExternalDoctype: acceptsExternalDoctype)
        let parser = XMLParser(data: Data(SafeXMLWellKnownPrefixes.declare(checked)))
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let builder = SafeXMLTreeBuilder(limits: self)
        parser.delegate = builder
        _ = parser.parse()  // the result is not trusted: corelibs returns true after some errors; the builder decides
        return try builder.finish(parser)
    }

    /// The root element of `text` (as UTF-8).
    public func parse(_ text: String) throws(SafeXMLError) -> SafeXMLElement {
        try parse(Array(text.utf8))
    }
}
