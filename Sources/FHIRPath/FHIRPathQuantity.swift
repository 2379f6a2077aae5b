import FHIRCore
import Foundation

/// A FHIRPath Quantity: a decimal value (its text) and a unit, either UCUM (`mg`) or a calendar
/// duration keyword (`year`, `month`, `week`, `day`, `hour`, `minute`, `second`, `millisecond`).
public struct FHIRPathQuantity: Sendable, Hashable, CustomStringConvertible {
    /// The value, as its exact decimal text.
    public let value: String
    /// The unit: UCUM code or calendar keyword (singular); `1` when none.
    public let unit: String

    /// A quantity of `value` (decimal text) in `unit`; plural calendar keywords are made singular.
    public init(value: String, unit: String) {
        self.value = value
        let calendar = ["years", "months", "weeks", "days", "hours", "minutes", "seconds", "milliseconds"]
        self.unit = calendar.contains(unit) ? String(unit.dropLast()) : unit
    }

    /// Reads a FHIR `Quantity` object: its `value` and its `code` (else `unit`).
    init?(_ object: JSONObject) {
        guard let value = object["value"]?.numberText else { return nil }
        let unit = object["code"]?.stringValue ?? object["unit"]?.stringValue ?? "1"
        self.init(value: value, unit: unit)
    }

    public var description: String {
        FHIRPathQuantity.calendarUnits[unit] != nil ? "\(value) \(unit)" : "\(value) '\(unit)'"
    }

    /// The quantity as a FHIR `Quantity` object.
    var json: JSONObject {
        JSONObject([("value", .number(value)), ("unit", .string(unit))])
    }

    var decimal: Decimal? { Decimal(string: value, locale: nil) }

    /// Calendar keywords with the UCUM unit they equal when compared (FHIRPath 5.x: weeks and below are
    /// definite; `year` and `month` are not equal to `a` and `mo`).
    static let calendarUnits: [String: String] = [
        "year": "year", "month": "month", "week": "wk", "day": "d", "hour": "h", "minute": "min",
        "second": "s", "millisecond": "ms",
    ]

    /// A few UCUM units in a common base unit, enough to compare `mg` with `g` or `mL` with `L`.
    private static let scaled: [String: (base: String, factor: Decimal)] = [
        "kg": ("g", 1000), "g": ("g", 1), "mg": ("g", Decimal(string: "0.001", locale: nil) ?? 0),
        "ug": ("g", Decimal(string: "0.000001", locale: nil) ?? 0),
        "L": ("L", 1), "dL": ("L", Decimal(string: "0.1", locale: nil) ?? 0),
        "mL": ("L", Decimal(string: "0.001", locale: nil) ?? 0),
        "m": ("m", 1), "cm": ("m", Decimal(string: "0.01", locale: nil) ?? 0),
        "mm": ("m", Decimal(string: "0.001", locale: nil) ?? 0),
        "wk": ("s", 604_800), "d": ("s", 86_400), "h": ("s", 3600), "min": ("s", 60), "s": ("s", 1),
        "ms": ("s", Decimal(string: "0.001", locale: nil) ?? 0),
    ]

    /// The value in a base unit shared with comparable units, and that unit.
    private var normalised: (Decimal, String)? {
        guard let amount = decimal else { return nil }
        let ucum = FHIRPathQuantity.calendarUnits[unit] ?? unit
        if let scale = FHIRPathQuantity.scaled[ucum] { return (amount * scale.factor, scale.base) }
        return (amount, ucum)
    }

    /// Orders two quantities; nil when their units cannot be compared.
    func compare(to other: FHIRPathQuantity) -> ComparisonResult? {
        guard let (left, leftUnit) = normalised, let (right, rightUnit) = other.normalised, leftUnit == rightUnit
        else { return nil }
        return left == right ? .orderedSame : (left < right ? .orderedAscending : .orderedDescending)
    }
}
