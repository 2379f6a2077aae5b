import Foundation

/// The waits before each retry of a failed delivery; a delivery gets one attempt more than there are delays.
///
/// Read from a setting such as `--webhook-retry-schedule 5s,30s,2m,10m,1h` (units `ms`, `s`, `m`, `h`, `d`).
public struct RetrySchedule: Sendable, Hashable, CustomStringConvertible {
    /// The wait before the second attempt, the third, and so on.
    public let delays: [Duration]

    /// The default: 5 s, 30 s, 2 min, 10 min, 1 h, 3 h, 6 h, 12 h and 24 h, so 10 attempts over about two days.
    public static let standard = RetrySchedule(delays: [
        .seconds(5), .seconds(30), .seconds(2 * 60), .seconds(10 * 60), .seconds(3600),
        .seconds(3 * 3600), .seconds(6 * 3600), .seconds(12 * 3600), .seconds(24 * 3600),
    ])

    /// A schedule with these delays, in order.
    public init(delays: [Duration]) {
        self.delays = delays
    }

    /// Reads a comma-separated list of durations, each a whole number and a unit: `ms`, `s`, `m`, `h` or `d`.
    public init(parsing text: String) throws(WebhookError) {
        var delays: [Duration] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let entry = item.trimmingCharacters(in: .whitespaces)
            guard let delay = Self.duration(entry) else {
                throw WebhookError(
                    .invalidRetrySchedule,
                    "retry schedule entry '\(entry)' in '\(text)' is not a duration such as 500ms, 5s, 2m, 1h or 1d")
            }
            delays.append(delay)
        }
        self.delays = delays
    }

    /// How many attempts a delivery gets in all: the first one and one per delay.
    public var maximumAttempts: Int { delays.count + 1 }

    /// The wait after failed attempt `attempt` (1 for the first), or `nil` when it was the last one.
    public func delay(afterAttempt attempt: Int) -> Duration? {
        delays.indices.contains(attempt - 1) ? delays[attempt - 1] : nil
    }

    /// The schedule in the form the setting is written in, such as `5s,30s,2m`.
    public var description: String {
        delays.map(Self.text).joined(separator: ",")
    }

    private static let units: [(suffix: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]

    private static func duration(_ entry: String) -> Duration? {
        let digits = entry.prefix { $0.isASCII && $0.isNumber }
        let suffix = entry.dropFirst(digits.count)
        guard let amount = Int64(digits), let unit = units.first(where: { $0.suffix == suffix }) else {
            return nil
        }
        let (milliseconds, overflow) = amount.multipliedReportingOverflow(by: unit.milliseconds)
        return overflow ? nil : .milliseconds(milliseconds)
    }

    private static func text(_ delay: Duration) -> String {
        let milliseconds = delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000
        let fits = { (unit: (suffix: String, milliseconds: Int64)) in
            milliseconds >= unit.milliseconds && milliseconds % unit.milliseconds == 0
        }
        let unit = units.reversed().first(where: fits) ?? units[1]
        return "\(milliseconds / unit.milliseconds)\(unit.suffix)"
    }
}

extension RetrySchedule {
    /// `delay` moved at random by up to `fraction` of itself either way (0.2 gives +/-20%), so that deliveries
    /// that failed together do not all retry at the same instant.
    public static func jittered(
        _ delay: Duration, fraction: Double = 0.2, using generator: inout some RandomNumberGenerator
    ) -> Duration {
        guard fraction > 0 else { return delay }
        let factor = Double.random(in: (1 - fraction)...(1 + fraction), using: &generator)
        return .seconds(rounding: delay.inSeconds * factor)
    }
}
