import Foundation
@testable import Mapping
import Testing

/// The mappings' own trimming gives what Foundation's does, for ASCII and Unicode white space alike.
@Suite struct TrimmingTests {
    static let samples = [
        "", " ", "\t", "abc", "  abc  ", "\tabc\t", " a b ", "\u{00A0}x\u{00A0}", "\u{3000}全角\u{3000}", "\u{2003}em\u{2009}",
        "\r\nline\n", "\u{2028}sep\u{2029}", "\u{0085}nel\u{0085}", "\u{000B}vt\u{000C}", "e\u{0301} ", " \u{0301}",
        "\n", " \n ", "x\u{200B}",
    ]

    @Test(arguments: samples)
    func sameAsFoundation(_ text: String) {
        #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces))
        #expect(text.trimmingWhitespaceAndNewlines() == text.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(Substring(text).trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces))
    }

    @Test("every scalar of the Basic Multilingual Plane is white space for both, or for neither")
    func everyScalar() {
        for value in UInt32(0)...0xFFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "\(Character(scalar))a\(Character(scalar))"
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces), "U+\(String(value, radix: 16))")
            #expect(
                text.trimmingWhitespaceAndNewlines() == text.trimmingCharacters(in: .whitespacesAndNewlines),
                "U+\(String(value, radix: 16))")
        }
    }
}
