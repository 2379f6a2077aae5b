/// The functions the evaluator knows, resolved once at parse time.
enum FHIRPathFunction: String, Sendable, Hashable, CaseIterable {
    // Existence
    case empty, exists, all, allTrue, anyTrue, allFalse, anyFalse, subsetOf, supersetOf, count, distinct
    case isDistinct
    // Filtering and projection
    case `where`, select, `repeat`, ofType
    // Subsetting
    case single, first, last, tail, skip, take, intersect, exclude
    // Combining
    case union, combine
    // Conversion
    case iif, toBoolean, convertsToBoolean, toInteger, convertsToInteger, toDecimal, convertsToDecimal
    case toString, convertsToString, toDate, convertsToDate, toDateTime, convertsToDateTime, toQuantity
    case convertsToQuantity, toTime, convertsToTime
    // Strings
    case indexOf, substring, startsWith, endsWith, contains, upper, lower, replace, matches, replaceMatches
    case length, toChars, trim, split, join
    // Math
    case abs, ceiling, floor, truncate, round, sqrt, exp, ln, log, power
    // Tree navigation and utility
    case children, descendants, trace, now, today, timeOfDay, not
    // Types
    case `as`, `is`, type
    // FHIR additions
    case `extension`, resolve, hasValue, getValue, memberOf, conformsTo, htmlChecks, elementDefinition, slice
    case checkModifiers, subsumes, subsumedBy, aggregate

    /// Functions whose arguments are evaluated once per input item with `$this` set (not up front).
    var takesLambda: Bool {
        switch self {
        case .where, .select, .all, .exists, .repeat, .aggregate: true
        default: false
        }
    }

    /// Functions whose single argument is a type name.
    var takesType: Bool {
        switch self {
        case .ofType, .as, .is: true
        default: false
        }
    }

    /// Allowed argument counts.
    var arity: ClosedRange<Int> {
        switch self {
        case .exists, .trace, .round, .log: 0...1
        case .all, .where, .select, .repeat, .ofType, .subsetOf, .supersetOf, .skip, .take, .intersect, .exclude,
             .union, .combine, .indexOf, .startsWith, .endsWith, .contains, .matches, .split, .as, .is,
             .extension, .memberOf, .conformsTo, .subsumes, .subsumedBy, .power:
            1...1
        case .substring, .aggregate: 1...2
        case .iif: 2...3
        case .replace, .replaceMatches: 2...2
        case .toQuantity, .convertsToQuantity, .join: 0...1
        case .slice: 2...2
        default: 0...0
        }
    }
}
