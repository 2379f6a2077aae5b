import Testing
@testable import SafeXML

@Suite("SafeXML limits and malformed input")
struct SafeXMLLimitTests {
    func kind(of bytes: [UInt8], parser: SafeXMLParser = SafeXMLParser()) -> SafeXMLError.Kind? {
        do {
            _ = try parser.parse(bytes)
            return nil
        } catch {
            return error.kind
        }
    }

    func kind(of text: String, parser: SafeXMLParser = SafeXMLParser()) -> SafeXMLError.Kind? {
        kind(of: Array(text.utf8), parser: parser)
    }

    @Test func sizeLimit() {
        let document = "<r>" + String(repeating: "x", count: 2_000) + "</r>"
        #expect(kind(of: document, parser: SafeXMLParser(maximumBytes: 1_000)) == .documentTooLarge)
        #expect(kind(of: document, parser: SafeXMLParser(maximumBytes: 4_000)) == nil)
    }

    @Test func depthLimit() {
        let nested = { (depth: Int) in
            String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        }
        #expect(kind(of: nested(10), parser: SafeXMLParser(maximumDepth: 10)) == nil)
        #expect(kind(of: nested(11), parser: SafeXMLParser(maximumDepth: 10)) == .tooDeep)
        let deep = kind(of: nested(100_000))
        #expect(deep == .tooDeep || deep == .notWellFormed)
    }

    @Test func elementLimit() {
        let document = "<r>" + String(repeating: "<a/>", count: 100) + "</r>"
        #expect(kind(of: document, parser: SafeXMLParser(maximumElements: 101)) == nil)
        #expect(kind(of: document, parser: SafeXMLParser(maximumElements: 100)) == .tooManyElements)
    }

    @Test func attributeLimits() {
        let attributes = (1...20).map { "a\($0)='\($0)'" }.joined(separator: " ")
        #expect(kind(of: "<r \(attributes)/>", parser: SafeXMLParser(maximumAttributesPerElement: 20)) == nil)
        #expect(kind(of: "<r \(attributes)/>", parser: SafeXMLParser(maximumAttributesPerElement: 19)) == .tooManyAttributes)
        let value = String(repeating: "v", count: 1_000)
        #expect(kind(of: "<r a='\(value)'/>", parser: SafeXMLParser(maximumAttributeLength: 1_000)) == nil)
        #expect(kind(of: "<r a='\(value)'/>", parser: SafeXMLParser(maximumAttributeLength: 999)) == .attributeTooLong)
    }

    @Test func hugeAttributeWithDefaultLimits() {
        let huge = "<r a='" + String(repeating: "v", count: 8 << 20) + "'/>"
        let found = kind(of: huge)
        #expect(found == .attributeTooLong || found == .notWellFormed)
    }

    @Test(arguments: [
        "<r><a></r>", "<r>", "<r", "<r></r><second/>", "<r a='1' a='2'/>", "<r a=unquoted/>",
        "text only <", "<r>&#0;</r>", "<1r/>",
    ])
    func malformedDocumentsAreRefused(_ text: String) {
        #expect(kind(of: text) == .notWellFormed)
    }

    @Test func emptyInputIsRefused() {
        #expect(kind(of: "") == .emptyDocument)
        #expect(kind(of: "   \n") == .emptyDocument)
    }

    @Test func invalidUTF8IsRefusedWithItsPosition() {
        let cases: [[UInt8]] = [
            Array("<r>".utf8) + [0xFF] + Array("</r>".utf8),
            Array("<r>".utf8) + [0xC3] + Array("</r>".utf8),
            Array("<r>".utf8) + [0xC0, 0xAF] + Array("</r>".utf8),  // overlong '/'
            Array("<r>".utf8) + [0xED, 0xA0, 0x80] + Array("</r>".utf8),  // surrogate
            Array("<r>".utf8) + [0xE2, 0x82],
            Array("<r>\n<a>".utf8) + [0x00] + Array("</a></r>".utf8),
        ]
        for bytes in cases {
            #expect(kind(of: bytes) == .invalidEncoding)
        }
        do {
            _ = try SafeXMLParser().parse(Array("<r>\n <a>x".utf8) + [0xFE] + Array("</a></r>".utf8))
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 6)
        }
    }

    @Test func onlyASCIICompatibleEncodingsAreAccepted() {
        #expect(kind(of: [0xFF, 0xFE] + Array("<\0r\0/\0>\0".utf8)) == .invalidEncoding)
        #expect(kind(of: [0xFE, 0xFF] + Array("\0<\0r\0/\0>".utf8)) == .invalidEncoding)
        #expect(kind(of: "<?xml version='1.0' encoding='UTF-16'?><r/>") == .invalidEncoding)
        #expect(kind(of: "<?xml version='1.0' encoding='UTF-7'?><r/>") == .invalidEncoding)
        #expect(kind(of: "<?xml version='1.0' encoding='EBCDIC-US'?><r/>") == .invalidEncoding)
        #expect(kind(of: "<?xml version='1.0' encoding='utf-8'?><r/>") == nil)
        #expect(kind(of: "<?xml version=\"1.0\" encoding=\"windows-1252\"?><r/>") == nil)
    }
}
