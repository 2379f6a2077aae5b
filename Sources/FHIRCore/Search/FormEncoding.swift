import Foundation

/// Form-encoded text (`application/x-www-form-urlencoded`: a URL's query string, a search POST body, conditional
/// criteria) read into names and values.
public enum FormEncoding {
    /// `a=1&b=x%20y` as name-value pairs, in order: `+` is a space, `%XX` a percent-encoded byte; empty pairs
    /// are skipped and a pair without `=` has an empty value.
    public static func pairs(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (name: decoded(parts[0]), value: parts.count > 1 ? decoded(parts[1]) : "")
        }
    }

    /// A form-encoded name or value as text: `+` is a space, `%XX` a percent-encoded byte (left as written when
    /// the encoding is invalid). Plain text, the usual case, is taken as it is.
    public static func decoded(_ part: Substring) -> String {
        guard part.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else { return String(part) }
        return percentDecoded(part.replacingOccurrences(of: "+", with: " "))
    }

    /// `text` with `%XX` escapes decoded (as written when they are invalid); `+` stays itself (URL paths).
    public static func percentDecoded(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "%")) else { return text }
        return text.removingPercentEncoding ?? text
    }
}
