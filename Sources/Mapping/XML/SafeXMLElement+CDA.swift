import Foundation
import SafeXML

/// Navigation in the HL7 v3 namespace (`urn:hl7-org:v3`). Document fragments cut out of a C-CDA document often
/// lose the default namespace declaration, so elements in no namespace count as CDA elements too.
extension SafeXMLElement {
    static let cdaNamespace = "urn:hl7-org:v3"
    static let xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

    /// Whether this is a CDA element (in the v3 namespace, or in none) with this local name.
    func isCDA(_ wanted: String) -> Bool {
        name == wanted && (namespaceURI == nil || namespaceURI == Self.cdaNamespace)
    }

    /// The CDA child elements with this local name.
    func cdaChildren(_ wanted: String) -> [SafeXMLElement] {
        children.filter { $0.isCDA(wanted) }
    }

    /// The first CDA child element with this local name.
    func cdaChild(_ wanted: String) -> SafeXMLElement? {
        for case .element(let element) in content where element.isCDA(wanted) { return element }
        return nil
    }

    /// The first CDA element reached by following these child names.
    func cdaChild(_ first: String, _ rest: String...) -> SafeXMLElement? {
        var current = cdaChild(first)
        for name in rest { current = current?.cdaChild(name) }
        return current
    }

    /// Whether one of the `templateId` children has this root.
    func hasTemplate(_ root: String) -> Bool {
        cdaChildren("templateId").contains { $0.attribute("root") == root }
    }

    /// `xsi:type` without any prefix the type name was written with (`PQ` for `xsi:type="v3:PQ"`).
    var xsiType: String? {
        guard let written = attribute("type", namespace: Self.xsiNamespace) ?? attribute("type") else { return nil }
        return String(written.split(separator: ":").last ?? Substring(written)).trimmingWhitespace()
    }

    /// A non-empty attribute value, trimmed.
    func nonEmptyAttribute(_ wanted: String) -> String? {
        guard let value = attribute(wanted)?.trimmingWhitespaceAndNewlines(), !value.isEmpty else {
            return nil
        }
        return value
    }

    /// The text content with runs of white space folded into one space and the ends trimmed.
    var foldedText: String {
        textContent.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
