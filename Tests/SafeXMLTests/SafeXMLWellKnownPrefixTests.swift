import SafeXML
import Testing

/// Fragments cut from C-CDA documents keep `xsi:type` without declaring `xsi`.
@Suite("SafeXML: well-known prefixes of fragments")
struct SafeXMLWellKnownPrefixTests {
    @Test("An undeclared xsi prefix gets the XML Schema instance namespace; a declared one is left alone")
    func undeclaredXSI() throws {
        let fragment = #"<observation><value xsi:type="PQ" value="4.2" unit="mmol/L"/></observation>"#
        let root = try SafeXMLParser().parse(fragment)
        let value = try #require(root.children.first)
        #expect(value.attribute("type", namespace: "http://www.w3.org/2001/XMLSchema-instance") == "PQ")
        let declared = #"<o xmlns:xsi="urn:other"><v xsi:type="X"/></o>"#
        #expect(try SafeXMLParser().parse(declared).children.first?.attribute("type", namespace: "urn:other") == "X")
        let declaredOnASibling = #"<s><a xmlns:xsi="urn:other"/><v xsi:type="PQ"/></s>"#
        let sibling = try #require(try SafeXMLParser().parse(declaredOnASibling).children.last)
        #expect(sibling.attribute("type", namespace: "http://www.w3.org/2001/XMLSchema-instance") == "PQ")
    }

    @Test("A document that does not use the prefixes is read unchanged; an unknown undeclared prefix is still refused")
    func untouched() throws {
        #expect(try SafeXMLParser().parse("<a xsi=\"1\"><b/></a>").attribute("xsi") == "1")
        #expect(throws: SafeXMLError.self) { try SafeXMLParser().parse(#"<a><b q:type="x"/></a>"#) }
    }
}
