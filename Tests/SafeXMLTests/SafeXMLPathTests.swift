import Testing
@testable import SafeXML

@Suite("SafeXML selectors")
struct SafeXMLPathTests {
    let document: SafeXMLElement

    init() throws {
        document = try SafeXMLParser().parse("""
            <feed xmlns="urn:lab" xmlns:v="urn:vendor">
              <patient id="P1"><name>DOE</name></patient>
              <order number="O-1">
                <result code="GLU" status="final"><value unit="mg/dL">95</value><code>GLU</code></result>
                <result code="NA" status="preliminary"><value unit="mmol/L">140</value><code>NA</code></result>
                <v:result code="K"><value unit="mmol/L">4.1</value></v:result>
              </order>
              <order number="O-2"><result code="HB"><value unit="g/dL">13.2</value></result></order>
            </feed>
            """)
    }

    @Test func childStepsAndAttributes() throws {
        #expect(try document.value("patient/@id") == "P1")
        #expect(try document.value("patient/name") == "DOE")
        #expect(try document.select("order/result").count == 4)
        #expect(try document.select("order").first?.select("result/value/@unit").count == 3)
        #expect(try document.select("order/*/value").count == 4)
        #expect(try document.select("order/result/missing").isEmpty)
    }

    @Test func absoluteAndDescendantSteps() throws {
        #expect(try document.select("/feed/order").count == 2)
        #expect(try document.select("/other/order").isEmpty)
        #expect(try document.select("//value").count == 4)
        #expect(try document.select("//feed").count == 1)
        #expect(try document.select("order//value").count == 4)
        #expect(try document.select(".").first?.name == "feed")
        #expect(try document.select("order").first.map { try $0.value("./@number") } == "O-1")
        let units = try document.select("//result/value").map { $0.attribute("unit") ?? "" }
        #expect(units == ["mg/dL", "mmol/L", "mmol/L", "g/dL"])
    }

    @Test func predicates() throws {
        #expect(try document.value("order/result[@code='NA']/value") == "140")
        #expect(try document.value("order/result[@code=\"GLU\"]/value/@unit") == "mg/dL")
        #expect(try document.select("//result[@status]").count == 2)
        #expect(try document.select("//result[@status='final'][@code='GLU']").count == 1)
        #expect(try document.value("order[2]/@number") == "O-2")
        #expect(try document.value("//result[code='NA']/@status") == "preliminary")
        #expect(try document.values("order/result[1]/@code".asPath) == ["GLU", "HB"])
        #expect(try document.values("order/result[@status][2]/@code".asPath) == ["NA"])
    }

    @Test func namespacesNarrowWhenMapped() throws {
        let namespaces = ["lab": "urn:lab", "v": "urn:vendor"]
        #expect(try document.select("order/v:result", namespaces: namespaces).map { $0.attribute("code") } == ["K"])
        #expect(try document.select("lab:order/lab:result", namespaces: namespaces).count == 3)
        #expect(try document.select("order/v:*", namespaces: namespaces).count == 1)
    }

    @Test(arguments: ["", "a/", "a//", "a[", "a[@b='c'", "a[@b=c]", "a/@b/c", "x:a", "a b", "a[0]", "..", "a/[1]", "1a"])
    func invalidSelectorsAreRefused(_ text: String) {
        #expect(throws: SafeXMLError.self) { try SafeXMLPath(text) }
    }

    @Test func selectorsReportThemselves() throws {
        let path = try SafeXMLPath("//result/@code")
        #expect(path.selectsAttribute)
        #expect(path.description == "//result/@code")
        #expect(document.values(path) == ["GLU", "NA", "K", "HB"])
    }
}

extension String {
    var asPath: SafeXMLPath {
        get throws { try SafeXMLPath(self) }
    }
}
