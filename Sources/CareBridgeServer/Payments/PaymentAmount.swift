/// An exact, non-negative amount of money kept as an integer count of `10^-scale` units, so that payments
/// are added and compared without ever going through `Double` (`120.00` is 12000 units at scale 2).
struct PaymentAmount: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The value times `10^scale`.
    let units: Int64
    /// How many digits follow the decimal point.
    let scale: Int

    /// The largest scale kept; beyond it a value cannot be represented exactly.
    static let maximumScale = 12

    /// Reads plain decimal text (`120`, `120.5`, `0.075`); nil for signs, exponents, other characters,
    /// or values too large to hold exactly.
    init?(decimal text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard parts.count == 1 || !fraction.isEmpty, fraction.count <= Self.maximumScale else { return nil }
        var units: Int64 = 0
        for character in Array(whole.utf8) + Array(fraction.utf8) {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(character) else { return nil }
            let (shifted, overflow) = units.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = shifted.addingReportingOverflow(Int64(character - UInt8(ascii: "0")))
            guard !overflow, !overflow2 else { return nil }
            units = next
        }
        self.units = units
        self.scale = fraction.count
    }

    /// An amount given in a currency's minor units (`12000` cents with exponent 2 is `120.00`).
    init(minorUnits: Int64, exponent: Int) {
        units = minorUnits
        scale = exponent
    }

    /// The same value with at least `scale` fraction digits; nil when that does not fit.
    func rescaled(to scale: Int) -> PaymentAmount? {
        guard scale > self.scale else { return self }
        guard scale <= Self.maximumScale else { return nil }
        var units = self.units
        for _ in self.scale..<scale {
            let (next, overflow) = units.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            units = next
        }
        return PaymentAmount(minorUnits: units, exponent: scale)
    }

    /// The sum, at the larger of the two scales; nil on overflow.
    func adding(_ other: PaymentAmount) -> PaymentAmount? {
        let scale = max(self.scale, other.scale)
        guard let left = rescaled(to: scale), let right = other.rescaled(to: scale) else { return nil }
        let (sum, overflow) = left.units.addingReportingOverflow(right.units)
        return overflow ? nil : PaymentAmount(minorUnits: sum, exponent: scale)
    }

    /// The difference `self - other` when it is not negative, else nil.
    func subtracting(_ other: PaymentAmount) -> PaymentAmount? {
        let scale = max(self.scale, other.scale)
        guard let left = rescaled(to: scale), let right = other.rescaled(to: scale), left.units >= right.units else {
            return nil
        }
        return PaymentAmount(minorUnits: left.units - right.units, exponent: scale)
    }

    var isZero: Bool { units == 0 }

    /// The decimal text with exactly `scale` fraction digits (`12000` at scale 2 is `120.00`).
    var description: String {
        guard scale > 0 else { return String(units) }
        let digits = String(units)
        let padded = String(repeating: "0", count: max(0, scale + 1 - digits.count)) + digits
        return "\(padded.dropLast(scale)).\(padded.suffix(scale))"
    }

    static func < (lhs: PaymentAmount, rhs: PaymentAmount) -> Bool {
        let scale = max(lhs.scale, rhs.scale)
        guard let left = lhs.rescaled(to: scale), let right = rhs.rescaled(to: scale) else {
            // Only a value too large to rescale fails, and it has more integer digits than the other.
            return lhs.rescaled(to: scale) != nil
        }
        return left.units < right.units
    }

    static func == (lhs: PaymentAmount, rhs: PaymentAmount) -> Bool {
        !(lhs < rhs) && !(rhs < lhs)
    }

    func hash(into hasher: inout Hasher) {
        var units = self.units
        var scale = self.scale
        while scale > 0, units % 10 == 0 {
            units /= 10
            scale -= 1
        }
        hasher.combine(units)
        hasher.combine(scale)
    }
}

/// The number of minor-unit digits of ISO 4217 currencies as payment gateways count them: 2 unless listed.
enum CurrencyExponent {
    /// Currencies without minor units (the yen, the won, ...), as Stripe lists its zero-decimal currencies.
    static let zero: Set<String> = [
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
    ]
    /// Currencies with three decimals.
    static let three: Set<String> = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]

    /// The exponent of `currency` (upper-case ISO 4217 code).
    static func of(_ currency: String) -> Int {
        if zero.contains(currency) { return 0 }
        if three.contains(currency) { return 3 }
        return 2
    }
}
