import FHIRProfiles
import Foundation

/// A parsed FHIR search (https://hl7.org/fhir/R4/search.html): filters that must all match (repeated
/// parameters are AND), each with alternatives (`,` is OR), plus sort order, paging and total.
public struct SearchQuery: Sendable, Hashable {
    /// What of each match the Bundle carries (`_summary`, https://hl7.org/fhir/R4/search.html#summary).
    public enum Summary: String, Sendable, Hashable {
        /// Only the elements the definition marks `isSummary`.
        case `true`
        /// Only `text`, `id`, `meta` and the mandatory top-level elements.
        case text
        /// Only the count: no entries.
        case count
        /// Everything but the narrative.
        case data
        /// The whole resource.
        case `false`
    }

    /// How much effort goes into `Bundle.total` (`_total`).
    public enum Total: String, Sendable, Hashable {
        case none, estimate, accurate
    }

    /// The resource type searched.
    public var resourceType: String
    /// The filters, all of which must match.
    public var clauses: [SearchClause]
    /// The compartment the search is limited to (`GET /Patient/[id]/[type]`), if any.
    public var compartment: SearchCompartment?
    /// The sort keys (`_sort`), most significant first; empty means oldest change first.
    public var sort: [SearchSortKey]
    /// `_summary`.
    public var summary: Summary
    /// `_elements`: the top-level elements to return (with `id` and `meta`); nil for all.
    public var elements: [String]?
    /// `_include` and `_revinclude`.
    public var includes: [SearchInclude]
    /// The page size asked for (`_count`), nil when not given.
    public var count: Int?
    /// Where the page starts (`_offset`).
    public var offset: Int
    /// `_total`.
    public var total: Total
    /// Parameters that were ignored under `Prefer: handling=lenient`, each with the reason.
    public var ignored: [String]
    /// The filters as written, sorted: the canonical text of the criteria, which names the lock that
    /// serialises identical conditional interactions.
    public var canonicalText: String

    public init(resourceType: String, clauses: [SearchClause] = []) {
        self.resourceType = resourceType
        self.clauses = clauses
        compartment = nil
        sort = []
        includes = []
        summary = .false
        elements = nil
        count = nil
        offset = 0
        total = .none
        ignored = []
        canonicalText = ""
    }
}

/// A compartment (https://hl7.org/fhir/R4/compartmentdefinition.html): the resources that refer to `type/id`
/// through one of `parameters`, and for the compartment's own type, that resource itself.
public struct SearchCompartment: Sendable, Hashable {
    public var type: String
    public var id: String
    public var parameters: [String]

    public init(type: String, id: String, parameters: [String]) {
        self.type = type
        self.id = id
        self.parameters = parameters
    }
}

/// One filter of a search: a parameter, maybe a modifier, and values of which any may match.
public struct SearchClause: Sendable, Hashable {
    /// The parameter code (`birthdate`, `_id`).
    public var parameter: String
    /// The parameter's type, which names the index table.
    public var type: SearchParameterDefinition.ParameterType
    /// What to match.
    public var match: Match
    /// Whether a resource has at most one value for the parameter (`Patient.birthDate`): several date clauses
    /// on it must then match the same index row, which is tested in one subquery.
    public var isSingleValued = false

    /// What a clause matches, by parameter type and modifier.
    public enum Match: Sendable, Hashable {
        /// `:missing=true|false`: whether the resource has no value for the parameter.
        case missing(Bool)
        /// A string parameter: prefix of the normalised value, `:contains`, or `:exact`.
        case string([String], StringMatch)
        /// A token parameter (`code`, `system|code`, `|code`, `system|`); `negated` for `:not`.
        case token([TokenValue], negated: Bool)
        /// `:text` on a token: a prefix of the normalised display text.
        case tokenText([String])
        /// A date parameter, or `_lastUpdated`.
        case date([DateValue])
        /// A number parameter.
        case number([NumberValue])
        /// A quantity parameter.
        case quantity([QuantityValue])
        /// A reference parameter.
        case reference([ReferenceValue])
        /// A uri parameter: exact, `:below` (the value starts with it) or `:above` (it starts with the value).
        case uri([String], URIMatch)
        /// `_id`: the logical ids.
        case id([String])
        /// A chained parameter (`subject:Patient.name=peter`): the reference points to a resource of one of
        /// the target types that matches that type's clause.
        case chain([ChainTarget])
        /// Any of several clauses (the alternatives of a composite parameter, each on its own index rows).
        case anyOf([SearchClause])
        /// Reverse chaining (`_has:Observation:patient:code=...`): some current resource of `resourceType`
        /// refers to this one through its parameter `reference` and matches `clause`.
        case referencedBy(resourceType: String, reference: String, clause: ReverseClause)
    }

    /// The clause a referring resource must match (boxed: clauses nest).
    public final class ReverseClause: Sendable, Hashable {
        public let clause: SearchClause

        init(_ clause: SearchClause) {
            self.clause = clause
        }

        public static func == (lhs: ReverseClause, rhs: ReverseClause) -> Bool { lhs.clause == rhs.clause }
        public func hash(into hasher: inout Hasher) { hasher.combine(clause) }
    }

    /// One resource type a chained reference may point to, and what the resource must match.
    public struct ChainTarget: Sendable, Hashable {
        public var resourceType: String
        public var clause: SearchClause
    }

    /// How a string value is compared.
    public enum StringMatch: Sendable, Hashable {
        case prefix, contains, exact
    }

    /// How a uri value is compared.
    public enum URIMatch: Sendable, Hashable {
        case exact, below, above
    }
}

/// A comparison prefix of a date, number or quantity value (https://hl7.org/fhir/R4/search.html#prefix).
public enum SearchPrefix: String, Sendable, Hashable, CaseIterable {
    case eq, ne, gt, lt, ge, le, sa, eb, ap
}

/// A token value: `system` nil matches any system, "" means no system; `code` nil matches any code.
public struct TokenValue: Sendable, Hashable {
    public var system: String?
    public var code: String?

    public init(system: String?, code: String?) {
        self.system = system
        self.code = code
    }
}

/// A date value with its prefix: the half-open range `[low, high)` its precision covers.
public struct DateValue: Sendable, Hashable {
    public var prefix: SearchPrefix
    public var low: Date
    public var high: Date

    public init(prefix: SearchPrefix, low: Date, high: Date) {
        self.prefix = prefix
        self.low = low
        self.high = high
    }
}

/// A number value as written (never through `Double`), with the exponent of half its last digit's unit:
/// `100` has the implicit range [99.5, 100.5), so `precisionExponent` is 0 (0.5 × 10^0).
public struct NumberValue: Sendable, Hashable {
    public var prefix: SearchPrefix
    public var text: String
    public var precisionExponent: Int
}

/// A quantity value `[prefix]number|system|code`; `system` nil matches any system, `code` nil any unit.
public struct QuantityValue: Sendable, Hashable {
    public var number: NumberValue
    public var system: String?
    public var code: String?
}

/// A reference value: a local `Type/id` (type nil when only the id was given) or an absolute URL.
public enum ReferenceValue: Sendable, Hashable {
    case local(type: String?, id: String)
    case url(String)
}

/// One `_sort` key.
public struct SearchSortKey: Sendable, Hashable {
    public var parameter: String
    public var type: SearchParameterDefinition.ParameterType
    public var descending: Bool
}
