/// One element of a parsed document: immutable, with its namespace, attributes and content in document order.
///
/// Names are matched by local name; a namespace URI narrows the match when given:
///
/// ```swift
/// let root = try SafeXMLParser().parse(bytes)
/// root.firstChild(named: "MSH")?.firstChild(named: "MSH.10")?.text
/// root.select("//OBX/OBX.5")
/// ```
public struct SafeXMLElement: Sendable, Hashable {
    /// The local name (`PID.5` for `<v2:PID.5>`).
    public var name: String
    /// The namespace URI the element is in (default or prefixed), nil when in no namespace.
    public var namespaceURI: String?
    /// The prefix as written (`v2` for `<v2:PID.5>`), nil when unprefixed.
    public var prefix: String?
    /// The attributes in name order (namespace declarations `xmlns`/`xmlns:p` are not attributes).
    public var attributes: [SafeXMLAttribute]
    /// Text and child elements in document order; text nodes hold entity and character references resolved and
    /// CDATA sections as their text, and may be whitespace only (indentation).
    public var content: [SafeXMLContent]

    /// An element from its parts (for building documents in code and tests).
    public init(name: String, namespaceURI: String? = nil, prefix: String? = nil,
                attributes: [SafeXMLAttribute] = [], content: [SafeXMLContent] = []) {
        self.name = name
        self.namespaceURI = namespaceURI
        self.prefix = prefix
        self.attributes = attributes
        self.content = content
    }

    /// The name as written: `prefix:name` or `name`.
    public var qualifiedName: String { prefix.map { $0 + ":" + name } ?? name }

    /// The child elements in order.
    public var children: [SafeXMLElement] {
        content.compactMap { if case .element(let element) = $0 { element } else { nil } }
    }

    /// The element's own text: its text nodes joined, child elements left out (as written, not trimmed).
    public var text: String {
        var joined = ""
        for case .text(let text) in content { joined += text }
        return joined
    }

    /// All text inside the element, descendants included, in document order.
    public var textContent: String {
        var joined = ""
        for item in content {
            switch item {
            case .text(let text): joined += text
            case .element(let element): joined += element.textContent
            }
        }
        return joined
    }

    /// Whether the element has this local name and, when `namespace` is given, this namespace URI.
    public func matches(name wanted: String, namespace: String? = nil) -> Bool {
        name == wanted && (namespace == nil || namespace == namespaceURI)
    }

    /// The child elements with this local name (and namespace URI, when given), in order.
    public func children(named wanted: String, namespace: String? = nil) -> [SafeXMLElement] {
        children.filter { $0.matches(name: wanted, namespace: namespace) }
    }

    /// The first child element with this local name (and namespace URI, when given).
    public func firstChild(named wanted: String, namespace: String? = nil) -> SafeXMLElement? {
        for case .element(let element) in content where element.matches(name: wanted, namespace: namespace) {
            return element
        }
        return nil
    }

    /// The value of the attribute with this local name: the one in `namespace` when given, else the one in no
    /// namespace, else the first with that local name in any namespace.
    public func attribute(_ wanted: String, namespace: String? = nil) -> String? {
        if let namespace {
            return attributes.first { $0.name == wanted && $0.namespaceURI == namespace }?.value
        }
        return (attributes.first { $0.name == wanted && $0.namespaceURI == nil }
            ?? attributes.first { $0.name == wanted })?.value
    }

    /// Every descendant element (children, their children, ...) in document order, self excluded.
    public var descendants: [SafeXMLElement] {
        var found: [SafeXMLElement] = []
        collectDescendants(into: &found)
        return found
    }

    func collectDescendants(into found: inout [SafeXMLElement]) {
        for case .element(let element) in content {
            found.append(element)
            element.collectDescendants(into: &found)
        }
    }
}

/// One attribute: local name, namespace (from its prefix; unprefixed attributes are in no namespace) and value.
public struct SafeXMLAttribute: Sendable, Hashable {
    /// The local name (`type` for `xsi:type`).
    public var name: String
    /// The namespace URI of the prefix, nil for an unprefixed attribute.
    public var namespaceURI: String?
    /// The prefix as written, nil when unprefixed.
    public var prefix: String?
    /// The value with references resolved.
    public var value: String

    /// An attribute from its parts.
    public init(name: String, namespaceURI: String? = nil, prefix: String? = nil, value: String) {
        self.name = name
        self.namespaceURI = namespaceURI
        self.prefix = prefix
        self.value = value
    }
}

/// One piece of an element's content.
public enum SafeXMLContent: Sendable, Hashable {
    /// A child element.
    case element(SafeXMLElement)
    /// A run of text (character data or a CDATA section).
    case text(String)
}
