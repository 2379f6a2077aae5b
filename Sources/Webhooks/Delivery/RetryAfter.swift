import Foundation

/// The `Retry-After` response header (RFC 9110, section 10.2.3): how long a receiver asks the sender to wait.
public enum RetryAfter {
    /// The wait a `Retry-After` value asks for, counted from `now`: delta-seconds (`120`) or an HTTP-date in any
    /// of the three forms recipients must accept. A date in the past gives zero; anything else gives `nil`.
    public static func parse(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return Int64(text).map { .seconds($0) }
        }
        guard let date = httpDate(text) else { return nil }
        return .seconds(rounding: max(0, date.timeIntervalSince(now)))
    }

    /// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), then the obsolete RFC 850 and asctime forms.
    private static let formats = [
        "EEE, dd MMM yyyy HH:mm:ss 'GMT'", "EEEE, dd-MMM-yy HH:mm:ss 'GMT'", "EEE MMM d HH:mm:ss yyyy",
    ]

    private static func httpDate(_ text: String) -> Date? {
        let collapsed = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        for format in formats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: collapsed) {
                return date
            }
        }
        return nil
    }
}
