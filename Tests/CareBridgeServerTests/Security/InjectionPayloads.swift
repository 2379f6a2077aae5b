import Foundation

/// A hostile value, as it appears in a URL: percent-encoded text, or raw escapes that decode to bytes no
/// well-behaved client sends (NUL, overlong UTF-8, a lone surrogate).
struct InjectionPayload: Sendable, CustomStringConvertible {
    let name: String
    /// The value, percent-encoded for a query string or path segment.
    let encoded: String

    /// `text` percent-encoded: everything but unreserved characters.
    init(_ name: String, text: String) {
        self.name = name
        encoded = text.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? text
    }

    /// A value given already encoded, for byte sequences that are not valid text.
    init(_ name: String, encoded: String) {
        self.name = name
        self.encoded = encoded
    }

    var description: String { name }

    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// SQL fragments, quoting and escaping characters, LIKE wildcards, control bytes, huge values and unicode
    /// tricks. None of them is a prefix or part of any value the test data holds.
    static let all: [InjectionPayload] = [
        InjectionPayload("quote or-true", text: "' OR 1=1 --"),
        InjectionPayload("drop table", text: "'; DROP TABLE resource; --"),
        InjectionPayload("double quote", text: #"" OR ""=""#),
        InjectionPayload("parenthesis", text: "x') OR ('1'='1"),
        InjectionPayload("comment sleep", text: "*/ SELECT pg_sleep(5) /*"),
        InjectionPayload("union", text: "x' UNION SELECT id, body FROM resource --"),
        InjectionPayload("dollar quote", text: "$$"),
        InjectionPayload("dollar tag", text: "$tag$ x $tag$"),
        InjectionPayload("bind marker", text: "$1"),
        InjectionPayload("backslash", text: "\\"),
        InjectionPayload("trailing backslash", text: "Chalmers\\"),
        InjectionPayload("escaped separators", text: "Chal\\,mers\\|x\\$"),
        InjectionPayload("escaped quote", text: "\\' OR 1=1 --"),
        InjectionPayload("percent", text: "%"),
        InjectionPayload("underscore", text: "_"),
        InjectionPayload("wildcards", text: "%_%"),
        InjectionPayload("pipe and comma", text: "|,|$"),
        InjectionPayload("nul", encoded: "a%00b"),
        InjectionPayload("nul alone", encoded: "%00"),
        InjectionPayload("control bytes", encoded: "%01%1B%7F"),
        InjectionPayload("overlong dot", encoded: "%C0%AE%C0%AE"),
        InjectionPayload("lone surrogate", encoded: "%ED%A0%80"),
        InjectionPayload("invalid escape", encoded: "%ZZ%"),
        InjectionPayload("rtl override", text: "\u{202E}qzx"),
        InjectionPayload("homoglyph", text: "\u{0421}halmers"),
        InjectionPayload("combining", text: "q\u{0301}\u{0301}\u{0338}"),
        InjectionPayload("combining alone", text: "\u{0301}"),
        InjectionPayload("spaces", text: "   "),
        InjectionPayload("zero width", text: "qz\u{200B}x\u{FEFF}"),
        InjectionPayload("emoji", text: "qz🏥x"),
        InjectionPayload("huge", text: String(repeating: "Q", count: 100_000)),
        InjectionPayload("huge quotes", text: String(repeating: "'", count: 100_000)),
    ]
}
