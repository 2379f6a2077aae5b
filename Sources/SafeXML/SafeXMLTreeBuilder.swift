import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Receives libxml2's SAX events through `XMLParser`, resolves namespaces, applies the limits and builds the tree.
/// Used by one parse on one thread, then dropped.
final class SafeXMLTreeBuilder: NSObject, XMLParserDelegate {
    private struct OpenElement {
        var name: String
        var namespaceURI: String?
        var prefix: String?
        var attributes: [SafeXMLAttribute]
        var content: [SafeXMLContent] = []
        var pendingText = ""
        /// The prefixes this element declares (`""` for the default namespace) and their URIs.
        var scope: [String: String]

        mutating func flushText() {
            if !pendingText.isEmpty { content.append(.text(pendingText)) }
            pendingText = ""
        }
    }

    private static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"
    /// Words for the libxml2 error codes (which `NSXMLParserError` shares) that senders' documents meet most.
    private static let problems: [Int: String] = [
        4: "the document is empty", 5: "the document ends before its elements are closed",
        9: "a character XML does not allow", 26: "an undeclared entity", 38: "'<' in an attribute value",
        39: "an attribute value is not quoted", 41: "an attribute without a value", 42: "an attribute written twice",
        73: "'>' expected", 76: "an end tag does not match its start tag", 77: "an element is not closed",
    ]
    private let limits: SafeXMLParser
    private var stack: [OpenElement] = []
    private var root: SafeXMLElement?
    private var elementCount = 0
    private var failure: SafeXMLError?

    init(limits: SafeXMLParser) {
        self.limits = limits
    }

    /// The tree, or the first error met (a limit, a namespace problem or libxml2's own).
    func finish(_ parser: XMLParser) throws(SafeXMLError) -> SafeXMLElement {
        if let failure { throw failure }
        if let error = parser.parserError {
            throw wellFormednessError(error, parser)
        }
        guard let root, stack.isEmpty else {
            throw SafeXMLError(.notWellFormed, line: parser.lineNumber, column: parser.columnNumber,
                               reason: "the document ends before its root element is closed")
        }
        return root
    }

    private func fail(_ parser: XMLParser, _ kind: SafeXMLError.Kind, _ reason: String) {
        guard failure == nil else { return }
        failure = SafeXMLError(kind, line: parser.lineNumber, column: parser.columnNumber, reason: reason)
        parser.abortParsing()
    }

    private func wellFormednessError(_ error: any Error, _ parser: XMLParser) -> SafeXMLError {
        let code = (error as NSError).code
        let what = Self.problems[code].map { ": " + $0 } ?? ""
        return SafeXMLError(.notWellFormed, line: parser.lineNumber, column: parser.columnNumber,
                            reason: "the document is not well-formed XML\(what) (libxml2 error \(code))")
    }

    func parser(_ parser: XMLParser, didStartElement qualifiedName: String, namespaceURI: String?,
                qualifiedName _: String?, attributes: [String: String] = [:]) {
        guard failure == nil else { return }
        elementCount += 1
        guard elementCount <= limits.maximumElements else {
            return fail(parser, .tooManyElements, "the document has more than \(limits.maximumElements) elements")
        }
        guard stack.count < limits.maximumDepth else {
            return fail(parser, .tooDeep, "elements nest deeper than \(limits.maximumDepth) levels")
        }
        guard attributes.count <= limits.maximumAttributesPerElement else {
            return fail(parser, .tooManyAttributes, "<\(qualifiedName.prefix(80))> has \(attributes.count) attributes, "
                            + "more than \(limits.maximumAttributesPerElement)")
        }
        var scope: [String: String] = [:]
        var written: [(name: String, value: String)] = []
        for (name, value) in attributes {
            guard value.utf8.count <= limits.maximumAttributeLength else {
                return fail(parser, .attributeTooLong, "attribute \(name.prefix(80)) of <\(qualifiedName.prefix(80))> "
                                + "is longer than \(limits.maximumAttributeLength) bytes")
            }
            if name == "xmlns" {
                scope[""] = value
            } else if name.hasPrefix("xmlns:") {
                scope[String(name.dropFirst(6))] = value
            } else {
                written.append((name, value))
            }
        }
        if !stack.isEmpty { stack[stack.count - 1].flushText() }
        let (prefix, localName) = Self.split(qualifiedName)
        guard let elementNamespace = resolve(prefix, scope: scope, forElement: true) else {
            return fail(parser, .undeclaredPrefix, "the prefix \(prefix ?? "") of <\(qualifiedName.prefix(80))> is not declared")
        }
        var resolved: [SafeXMLAttribute] = []
        for (name, value) in written.sorted(by: { $0.name < $1.name }) {
            let (attributePrefix, attributeName) = Self.split(name)
            guard let namespace = resolve(attributePrefix, scope: scope, forElement: false) else {
                return fail(parser, .undeclaredPrefix, "the prefix \(attributePrefix ?? "") of attribute "
                                + "\(name.prefix(80)) is not declared")
            }
            resolved.append(SafeXMLAttribute(name: attributeName, namespaceURI: namespace,
                                             prefix: attributePrefix, value: value))
        }
        stack.append(OpenElement(name: localName, namespaceURI: elementNamespace, prefix: prefix,
                                 attributes: resolved, scope: scope))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        guard failure == nil, var open = stack.popLast() else { return }
        open.flushText()
        let element = SafeXMLElement(name: open.name, namespaceURI: open.namespaceURI, prefix: open.prefix,
                                     attributes: open.attributes, content: open.content)
        if stack.isEmpty {
            root = element
        } else {
            stack[stack.count - 1].content.append(.element(element))
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard failure == nil, !stack.isEmpty else { return }
        stack[stack.count - 1].pendingText += string
    }

    func parser(_ parser: XMLParser, foundCDATA block: Data) {
        guard failure == nil, !stack.isEmpty else { return }
        guard let text = String(data: block, encoding: .utf8) else {
            return fail(parser, .invalidEncoding, "a CDATA section is not valid UTF-8")
        }
        stack[stack.count - 1].pendingText += text
    }

    /// FoundationXML asks here for any entity the document does not declare (with no DTD allowed, every entity
    /// other than XML's five): the reference is refused and nothing is looked up.
    func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
        fail(parser, .entityForbidden, "the document refers to the entity &\(name.prefix(80)); "
                 + "(only &amp; &lt; &gt; &quot; &apos; and character references are allowed)")
        return nil
    }

    /// Keeps libxml2's first complaint, where it was made (later ones follow from it).
    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        guard failure == nil else { return }
        failure = wellFormednessError(parseError, parser)
    }

    /// The namespace of `prefix` in the open elements' scopes (innermost first): `.some(nil)` is no namespace,
    /// nil is an undeclared prefix. Unprefixed attributes are in no namespace.
    private func resolve(_ prefix: String?, scope: [String: String], forElement: Bool) -> String?? {
        if prefix == nil && !forElement { return .some(nil) }
        if prefix == "xml" { return .some(Self.xmlNamespace) }
        let key = prefix ?? ""
        if let uri = scope[key] ?? stack.reversed().lazy.compactMap({ $0.scope[key] }).first {
            return .some(uri.isEmpty ? nil : uri)
        }
        return prefix == nil ? .some(nil) : nil
    }

    /// `p:name` as (`p`, `name`); `name` as (nil, `name`).
    private static func split(_ qualifiedName: String) -> (prefix: String?, name: String) {
        guard let colon = qualifiedName.firstIndex(of: ":") else { return (nil, qualifiedName) }
        return (String(qualifiedName[..<colon]), String(qualifiedName[qualifiedName.index(after: colon)...]))
    }
}
