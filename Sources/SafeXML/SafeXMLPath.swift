/// A small XPath-like selector for reading lab feeds out of a `SafeXMLElement`, compiled once and applied many times.
///
/// Syntax (a strict subset of XPath 1.0 abbreviated syntax; anything else is `.invalidPath`):
/// - `a/b/c`: child steps from the element the path is applied to (the context);
/// - `/a/b`: a leading `/` makes the first step match the context element itself (so `/ORU_R01/MSH` from the root);
/// - `//a`, `a//b`: `a` at any depth below (a leading `//` includes the context itself);
/// - `.`: the context element (as in `./@code`);
/// - `*`: any element; `name`: the local name in any namespace; `p:name`: the local name in the namespace the
///   map given at compile time binds `p` to (a prefix missing from the map is an error);
/// - predicates, any number, all must hold: `[@code]` (the attribute exists), `[@code='x']` or `[@code="x"]`
///   (attribute value equals), `[name='x']` (some child element's text content equals), `[n]` (the n-th of
///   the elements under one parent that the name test and the predicates before it keep, from 1);
/// - `@attr` or `@p:attr` as the last step: the attribute's value instead of the element (`values`, `value`);
///   `@attr` without a prefix is the attribute of that local name in no namespace, else in any namespace.
/// Whitespace is not allowed outside quoted values. Results are unique and in document order.
public struct SafeXMLPath: Sendable, Hashable, CustomStringConvertible {
    enum Axis: Sendable, Hashable { case child, descendant, selfNode, descendantOrSelf }

    struct NameTest: Sendable, Hashable {
        /// nil is `*`.
        var name: String?
        /// nil matches any namespace (an unprefixed name); "" is no namespace.
        var namespace: String?

        func matches(_ element: SafeXMLElement) -> Bool {
            (name == nil || name == element.name) && (namespace == nil || namespace == (element.namespaceURI ?? ""))
        }

        func value(in element: SafeXMLElement) -> String? {
            guard let name else { return nil }
            if let namespace {
                return element.attribute(name, namespace: namespace.isEmpty ? nil : namespace)
                    ?? (namespace.isEmpty ? element.attributes.first { $0.name == name && $0.namespaceURI == nil }?.value : nil)
            }
            return element.attribute(name)
        }
    }

    enum Predicate: Sendable, Hashable {
        case hasAttribute(NameTest)
        case attributeEquals(NameTest, String)
        case childTextEquals(NameTest, String)
        case position(Int)
    }

    struct Step: Sendable, Hashable {
        var axis: Axis
        var test: NameTest
        var predicates: [Predicate]
    }

    /// The selector as written.
    public let description: String
    let steps: [Step]
    /// The attribute named by a final `@attr` step.
    let attribute: NameTest?

    /// Compiles `text`; `namespaces` maps the prefixes the selector uses to namespace URIs.
    /// - Throws: `.invalidPath` with the offending position in the reason.
    public init(_ text: String, namespaces: [String: String] = [:]) throws(SafeXMLError) {
        var reader = SafeXMLPathReader(text: text, namespaces: namespaces)
        (steps, attribute) = try reader.read()
        description = text
    }

    /// Whether the path ends with `@attr`, so that it selects attribute values.
    public var selectsAttribute: Bool { attribute != nil }
}

extension SafeXMLElement {
    /// The elements `path` selects from this element (for a path ending in `@attr`, those that have it).
    public func select(_ path: SafeXMLPath) -> [SafeXMLElement] {
        var current: [(element: SafeXMLElement, position: [Int])] = [(self, [])]
        for step in path.steps {
            var next: [(element: SafeXMLElement, position: [Int])] = []
            for (element, position) in current {
                switch step.axis {
                case .selfNode:
                    if step.test.matches(element), Self.holds(step.predicates, element, index: 1) {
                        next.append((element, position))
                    }
                case .child:
                    element.appendChildren(matching: step, at: position, to: &next)
                case .descendant, .descendantOrSelf:
                    if step.axis == .descendantOrSelf, step.test.matches(element),
                       Self.holds(step.predicates, element, index: 1) {
                        next.append((element, position))
                    }
                    element.appendDescendants(matching: step, at: position, to: &next)
                }
            }
            current = Self.unique(next)
        }
        guard let attribute = path.attribute else { return current.map(\.element) }
        return current.map(\.element).filter { attribute.value(in: $0) != nil }
    }

    /// The strings `path` selects: attribute values for a path ending in `@attr`, else each element's text content.
    public func values(_ path: SafeXMLPath) -> [String] {
        let elements = select(path)
        guard let attribute = path.attribute else { return elements.map(\.textContent) }
        return elements.compactMap { attribute.value(in: $0) }
    }

    /// The first string `path` selects (see `values(_:)`), or nil when it selects nothing.
    public func value(_ path: SafeXMLPath) -> String? {
        values(path).first
    }

    /// The elements a selector written as text selects (see `SafeXMLPath` for the syntax).
    /// - Throws: `.invalidPath` when `path` is not in the supported syntax.
    public func select(_ path: String, namespaces: [String: String] = [:]) throws(SafeXMLError) -> [SafeXMLElement] {
        select(try SafeXMLPath(path, namespaces: namespaces))
    }

    /// The first string a selector written as text selects (see `values(_:)`).
    /// - Throws: `.invalidPath` when `path` is not in the supported syntax.
    public func value(_ path: String, namespaces: [String: String] = [:]) throws(SafeXMLError) -> String? {
        value(try SafeXMLPath(path, namespaces: namespaces))
    }

    private func appendChildren(matching step: SafeXMLPath.Step, at position: [Int],
                                to found: inout [(element: SafeXMLElement, position: [Int])]) {
        var candidates: [(element: SafeXMLElement, position: [Int])] = []
        for (offset, item) in content.enumerated() {
            if case .element(let child) = item, step.test.matches(child) { candidates.append((child, position + [offset])) }
        }
        for predicate in step.predicates {
            candidates = candidates.enumerated()
                .filter { Self.holds([predicate], $0.element.element, index: $0.offset + 1) }
                .map(\.element)
        }
        found += candidates
    }

    private func appendDescendants(matching step: SafeXMLPath.Step, at position: [Int],
                                   to found: inout [(element: SafeXMLElement, position: [Int])]) {
        appendChildren(matching: step, at: position, to: &found)
        for (offset, item) in content.enumerated() {
            if case .element(let child) = item { child.appendDescendants(matching: step, at: position + [offset], to: &found) }
        }
    }

    private static func holds(_ predicates: [SafeXMLPath.Predicate], _ element: SafeXMLElement, index: Int) -> Bool {
        predicates.allSatisfy { predicate in
            switch predicate {
            case .hasAttribute(let test): test.value(in: element) != nil
            case .attributeEquals(let test, let wanted): test.value(in: element) == wanted
            case .childTextEquals(let test, let wanted):
                element.children.contains { test.matches($0) && $0.textContent == wanted }
            case .position(let wanted): index == wanted
            }
        }
    }

    /// Drops repeats (a node reached twice through `//`) and puts the rest in document order.
    private static func unique(_ found: [(element: SafeXMLElement, position: [Int])])
        -> [(element: SafeXMLElement, position: [Int])] {
        var seen: Set<[Int]> = []
        return found.filter { seen.insert($0.position).inserted }
            .sorted { $0.position.lexicographicallyPrecedes($1.position) }
    }
}
