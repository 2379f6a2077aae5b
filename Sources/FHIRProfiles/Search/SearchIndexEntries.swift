import Foundation

/// The search index rows of one resource version, one list per parameter type
/// (https://hl7.org/fhir/R4/search.html), written in the same transaction as the resource.
public struct SearchIndexEntries: Sendable, Hashable {
    /// A string value: normalised (`SearchText.normalized`) for default and `:contains` matching, and as written for `:exact`.
    public struct StringValue: Sendable, Hashable {
        public var parameter: String
        public var value: String
        public var exact: String

        public init(parameter: String, value: String, exact: String) {
            self.parameter = parameter
            self.value = value
            self.exact = exact
        }
    }

    /// A token: `system|code` ('' when there is no system) and the normalised display text for `:text` ('' when none).
    public struct Token: Sendable, Hashable {
        public var parameter: String
        public var system: String
        public var code: String
        public var text: String

        public init(parameter: String, system: String = "", code: String, text: String = "") {
            self.parameter = parameter
            self.system = system
            self.code = code
            self.text = text
        }
    }

    /// The half-open range `[low, high)` a date value covers, in seconds since 1970; an open end is infinite.
    public struct DateRange: Sendable, Hashable {
        public var parameter: String
        public var low: Double
        public var high: Double

        public init(parameter: String, low: Double, high: Double) {
            self.parameter = parameter
            self.low = low
            self.high = high
        }
    }

    /// A reference: `targetType`/`targetID` for a `Type/id` reference (relative, or absolute with a known type),
    /// `url` ('' when none) for an absolute or canonical one (without its `|version`).
    public struct Reference: Sendable, Hashable {
        public var parameter: String
        public var targetType: String
        public var targetID: String
        public var url: String

        public init(parameter: String, targetType: String = "", targetID: String = "", url: String = "") {
            self.parameter = parameter
            self.targetType = targetType
            self.targetID = targetID
            self.url = url
        }
    }

    /// A number as written, and half the unit of its last significant digit (`5.4` → `5e-2`), which
    /// gives the range `[value - halfUnit, value + halfUnit]` its precision implies.
    public struct Number: Sendable, Hashable {
        public var parameter: String
        public var value: String
        public var halfUnit: String

        public init(parameter: String, value: String, halfUnit: String) {
            self.parameter = parameter
            self.value = value
            self.halfUnit = halfUnit
        }
    }

    /// A quantity: its number, and its unit system and code ('' when none).
    public struct Quantity: Sendable, Hashable {
        public var number: Number
        public var system: String
        public var code: String

        public init(number: Number, system: String, code: String) {
            self.number = number
            self.system = system
            self.code = code
        }
    }

    /// A uri value, as written.
    public struct URI: Sendable, Hashable {
        public var parameter: String
        public var value: String

        public init(parameter: String, value: String) {
            self.parameter = parameter
            self.value = value
        }
    }

    public var strings: [StringValue] = []
    public var tokens: [Token] = []
    public var dates: [DateRange] = []
    public var references: [Reference] = []
    public var quantities: [Quantity] = []
    public var numbers: [Number] = []
    public var uris: [URI] = []
    /// Parameters whose expression failed on this resource (their values are missing from the index), with the error.
    public var failures: [String: String] = [:]

    public init() {}

    /// Appends the rows of `other`, all under the parameter name `parameter`.
    mutating func append(_ other: SearchIndexEntries, renamedTo parameter: String) {
        strings += other.strings.map { .init(parameter: parameter, value: $0.value, exact: $0.exact) }
        tokens += other.tokens.map { .init(parameter: parameter, system: $0.system, code: $0.code, text: $0.text) }
        dates += other.dates.map { .init(parameter: parameter, low: $0.low, high: $0.high) }
        references += other.references.map {
            .init(parameter: parameter, targetType: $0.targetType, targetID: $0.targetID, url: $0.url)
        }
        quantities += other.quantities.map {
            .init(number: .init(parameter: parameter, value: $0.number.value, halfUnit: $0.number.halfUnit),
                  system: $0.system, code: $0.code)
        }
        numbers += other.numbers.map { .init(parameter: parameter, value: $0.value, halfUnit: $0.halfUnit) }
        uris += other.uris.map { .init(parameter: parameter, value: $0.value) }
    }

    /// Whether there are no rows at all.
    public var isEmpty: Bool {
        strings.isEmpty && tokens.isEmpty && dates.isEmpty && references.isEmpty && quantities.isEmpty
            && numbers.isEmpty && uris.isEmpty
    }
}
