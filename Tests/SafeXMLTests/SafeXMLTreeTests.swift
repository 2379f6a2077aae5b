import Testing
@testable import SafeXML

@Suite("SafeXML tree")
struct SafeXMLTreeTests {
    let parser = SafeXMLParser()

    @Test func defaultAndPrefixedNamespaces() throws {
        let root = try parser.parse("""
            <?xml version="1.0" encoding="UTF-8"?>
            <ORU_R01 xmlns="urn:hl7-org:v2xml" xmlns:x="urn:example:x" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
              <MSH><MSH.10>MSG-1</MSH.10></MSH>
              <x:note xsi:type="ST" kind="plain">hello</x:note>
              <inner xmlns="urn:inner"><leaf/></inner>
              <unset xmlns=""><bare/></unset>
            </ORU_R01>
            """)
        #expect(root.name == "ORU_R01")
        #expect(root.namespaceURI == "urn:hl7-org:v2xml")
        #expect(root.prefix == nil)
        #expect(root.children.map(\.name) == ["MSH", "note", "inner", "unset"])
        let header = try #require(root.firstChild(named: "MSH", namespace: "urn:hl7-org:v2xml"))
        #expect(header.firstChild(named: "MSH.10")?.text == "MSG-1")
        let note = try #require(root.firstChild(named: "note"))
        #expect(note.namespaceURI == "urn:example:x")
        #expect(note.prefix == "x")
        #expect(note.qualifiedName == "x:note")
        #expect(note.attributes == [
            SafeXMLAttribute(name: "kind", value: "plain"),
            SafeXMLAttribute(name: "type", namespaceURI: "http://www.w3.org/2001/XMLSchema-instance", prefix: "xsi", value: "ST"),
        ])
        #expect(note.attribute("type") == "ST")
        #expect(note.attribute("type", namespace: "http://www.w3.org/2001/XMLSchema-instance") == "ST")
        #expect(note.attribute("type", namespace: "urn:other") == nil)
        #expect(root.firstChild(named: "inner")?.firstChild(named: "leaf")?.namespaceURI == "urn:inner")
        #expect(root.firstChild(named: "unset")?.firstChild(named: "bare")?.namespaceURI == nil)
        #expect(root.firstChild(named: "MSH", namespace: "urn:other") == nil)
        #expect(root.children(named: "note", namespace: "urn:example:x").count == 1)
    }

    @Test func textReferencesCDATAAndMixedContent() throws {
        let root = try parser.parse(
            "<r><v>a &amp; b &lt;5&gt; &#65;&#x42; &quot;q&apos;</v><c><![CDATA[<b>bold</b> & more]]></c>"
                + "<m>one<escape V=\".br\"/>two</m><d>caf\u{E9}</d></r>")
        #expect(root.firstChild(named: "v")?.text == "a & b <5> AB \"q'")
        #expect(root.firstChild(named: "c")?.text == "<b>bold</b> & more")
        let mixed = try #require(root.firstChild(named: "m"))
        #expect(mixed.content == [
            .text("one"), .element(SafeXMLElement(name: "escape", attributes: [SafeXMLAttribute(name: "V", value: ".br")])),
            .text("two"),
        ])
        #expect(mixed.text == "onetwo")
        #expect(root.textContent.hasSuffix("onetwocafé"))
        #expect(root.firstChild(named: "d")?.text == "café")
        #expect(root.descendants.map(\.name) == ["v", "c", "m", "escape", "d"])
    }

    @Test func latin1DeclaredDocumentIsDecoded() throws {
        var bytes = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r>M".utf8)
        bytes += [0xFC]  // ü in Latin-1
        bytes += Array("ller</r>".utf8)
        #expect(try parser.parse(bytes).text == "Müller")
    }

    @Test func byteOrderMarkCommentsAndProcessingInstructionsAreAccepted() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("<!-- <!DOCTYPE in a comment --><?pi <!ENTITY?><r/>".utf8)
        #expect(try parser.parse(bytes).name == "r")
    }

    @Test func undeclaredPrefixIsRefused() {
        #expect(throws: SafeXMLError.self) { try parser.parse("<x:r/>") }
        do {
            _ = try parser.parse("<r a:b='1'/>")
            Issue.record("an undeclared attribute prefix was accepted")
        } catch {
            #expect(error.kind == .undeclaredPrefix || error.kind == .notWellFormed)
        }
    }

    @Test func errorsSayWhere() {
        do {
            _ = try parser.parse("<r>\n  <a>\n  <b></a>\n</r>")
            Issue.record("a mismatched tag was accepted")
        } catch {
            #expect(error.kind == .notWellFormed)
            #expect(error.line == 3)
            #expect(error.description.hasPrefix("notWellFormed at line 3"))
        }
    }
}
