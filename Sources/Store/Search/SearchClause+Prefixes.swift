import Foundation

/// The prefixes of https://hl7.org/fhir/R4/search.html#prefix as SQL conditions.
extension SearchClause {
    /// A date value against the indexed range `[low, high)` of the resource's value, following the spec's
    /// table with the search value's range `[vl, vh)`: `eq` the search range contains the resource range,
    /// `ne` it does not, `gt` the resource range reaches past `vh`, `lt` it starts before `vl`, `ge`/`le`
    /// `gt`/`lt` or `eq`, `sa` it starts at or after `vh`, `eb` it ends at or before `vl`. `ap` is overlap with
    /// the search range widened on both sides by 10% of the time between now and the value (the spec's
    /// suggestion), at least one day.
    static func appendDate(_ value: DateValue, low: String, high: String, now: Date, to sql: inout SQLBuilder) {
        func contained(_ sql: inout SQLBuilder) {
            sql.append("(\(low) >= ", bind: value.low)
            sql.append(" AND \(high) <= ", bind: value.high)
            sql.append(")")
        }
        // `((comparison bound OR contained) AND implied impliedBound)`: `ge` is `gt` or `eq`, `le` is `lt` or `eq`.
        func orContained(_ comparison: String, _ bound: Date, implying implied: String, _ impliedBound: Date) {
            sql.append("((\(comparison)", bind: bound)
            sql.append(" OR ")
            contained(&sql)
            sql.append(") AND \(implied)", bind: impliedBound)
            sql.append(")")
        }
        // `eq`, `ge` and `le` also get the bound their condition implies on the other column (low < high), so that
        // each prefix is one index range: `eq` and `le` have low < vh, `ge` has high > vl.
        switch value.prefix {
        case .eq:
            sql.append("(")
            contained(&sql)
            sql.append(" AND \(low) < ", bind: value.high)
            sql.append(")")
        case .ne:
            sql.append("NOT ")
            contained(&sql)
        case .gt: sql.append("\(high) > ", bind: value.high)
        case .lt: sql.append("\(low) < ", bind: value.low)
        case .ge: orContained("\(high) > ", value.high, implying: "\(high) > ", value.low)
        case .le: orContained("\(low) < ", value.low, implying: "\(low) < ", value.high)
        case .sa:
            sql.append("\(low) >= ", bind: value.high)
        case .eb:
            sql.append("\(high) <= ", bind: value.low)
        case .ap:
            let margin = max(abs(now.timeIntervalSince(value.low)) * 0.1, 86_400)
            sql.append("(\(low) < ", bind: value.high.addingTimeInterval(margin))
            sql.append(" AND \(high) > ", bind: value.low.addingTimeInterval(-margin))
            sql.append(")")
        }
    }

    /// A date value against an instant column (`_lastUpdated`), whose range is `[t, t + 1µs)`: the table of
    /// `appendDate` reduces to plain comparisons of `t`, which the column's index serves.
    static func appendInstant(_ value: DateValue, column t: String, now: Date, to sql: inout SQLBuilder) {
        func compare(_ comparison: String, _ bound: Date) {
            sql.append("\(t) \(comparison) ", bind: bound)
        }
        switch value.prefix {
        case .eq, .ne:
            sql.append(value.prefix == .ne ? "NOT (" : "(")
            compare(">=", value.low)
            sql.append(" AND ")
            compare("<", value.high)
            sql.append(")")
        case .gt, .sa: compare(">=", value.high)
        case .ge: compare(">=", value.low)
        case .lt, .eb: compare("<", value.low)
        case .le: compare("<", value.high)
        case .ap:
            let margin = max(abs(now.timeIntervalSince(value.low)) * 0.1, 86_400)
            sql.append("(")
            compare(">=", value.low.addingTimeInterval(-margin))
            sql.append(" AND ")
            compare("<", value.high.addingTimeInterval(margin))
            sql.append(")")
        }
    }

    /// A number value against the indexed value `x.value`: `eq` within the implicit range of the search
    /// value's precision (`100` is [99.5, 100.5)), `ne` outside it, `gt lt ge le` (and `sa`/`eb` as `gt`/`lt`)
    /// against the value as written, `ap` within 10% of it (or its precision range when wider).
    static func appendNumber(_ number: NumberValue, to sql: inout SQLBuilder) {
        func value(_ sql: inout SQLBuilder) {
            sql.append(bind: number.text)
            sql.append("::numeric")
        }
        func halfUnit(_ sql: inout SQLBuilder) {
            sql.append("(0.5 * power(10::numeric, ", bind: number.precisionExponent)
            sql.append("::numeric))")
        }
        func withinPrecision(_ sql: inout SQLBuilder) {
            sql.append("(x.value >= ")
            value(&sql)
            sql.append(" - ")
            halfUnit(&sql)
            sql.append(" AND x.value < ")
            value(&sql)
            sql.append(" + ")
            halfUnit(&sql)
            sql.append(")")
        }
        let comparison: String
        switch number.prefix {
        case .eq:
            withinPrecision(&sql)
            return
        case .ne:
            sql.append("NOT ")
            withinPrecision(&sql)
            return
        case .ap:
            sql.append("abs(x.value - ")
            value(&sql)
            sql.append(") <= greatest(abs(")
            value(&sql)
            sql.append(") * 0.1, ")
            halfUnit(&sql)
            sql.append(")")
            return
        case .gt, .sa: comparison = " > "
        case .lt, .eb: comparison = " < "
        case .ge: comparison = " >= "
        case .le: comparison = " <= "
        }
        sql.append("x.value" + comparison)
        value(&sql)
    }
}
