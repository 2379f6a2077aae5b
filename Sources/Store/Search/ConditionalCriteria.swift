import FHIRProfiles
import Foundation

/// Conditional criteria for callers without a profile registry (`If-None-Exist`, `PUT Type?...`,
/// `DELETE Type?...`): `_id` and `identifier` only (token forms `system|code`, `|code`, `code`, `system|`);
/// any other parameter is refused rather than silently ignored, since ignoring it would match too much.
/// With a registry, `SearchQuery(conditional:type:registry:)` accepts every search parameter.
public struct ConditionalCriteria: Sendable, Hashable {
    /// One parameter: its code and its comma-separated alternatives (OR).
    public struct Clause: Sendable, Hashable {
        public let parameter: String
        public let values: [String]

        public init(parameter: String, values: [String]) {
            self.parameter = parameter
            self.values = values
        }
    }

    /// The parameters, all of which must match (AND).
    public let clauses: [Clause]
    /// The canonical text of the criteria (sorted), which names the lock that serialises identical requests.
    public let canonicalText: String

    /// The parameters conditional matching supports.
    public static let supportedParameters: Set<String> = ["_id", "identifier"]

    /// Parses a query string such as `identifier=http://a|1&_id=x`.
    public init(queryString: String) throws(StoreError) {
        var clauses: [Clause] = []
        for pair in queryString.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(String(parts[0]))
            let value = parts.count > 1 ? Self.decode(String(parts[1])) : ""
            guard Self.supportedParameters.contains(name) else {
                throw StoreError(
                    .invalidRequest,
                    "search parameter '\(name)' is not supported in conditional criteria (supported: _id, identifier)"
                )
            }
            guard !value.isEmpty else { throw StoreError(.invalidRequest, "search parameter '\(name)' has no value") }
            clauses.append(Clause(parameter: name, values: value.split(separator: ",").map(String.init)))
        }
        guard !clauses.isEmpty else { throw StoreError(.invalidRequest, "conditional criteria are empty") }
        self.init(clauses: clauses)
    }

    /// Criteria of these clauses (parameters already checked by the caller).
    public init(clauses: [Clause]) {
        self.clauses = clauses
        canonicalText = clauses.map { "\($0.parameter)=\($0.values.joined(separator: ","))" }.sorted()
            .joined(separator: "&")
    }

    /// The criteria as a search on `type`, which the search engine runs.
    public func query(_ type: String) -> SearchQuery {
        var query = SearchQuery(resourceType: type, clauses: clauses.map { clause in
            if clause.parameter == "_id" { return SearchClause(parameter: "_id", type: .token, match: .id(clause.values)) }
            let tokens = clause.values.map { value -> TokenValue in
                guard let bar = value.firstIndex(of: "|") else { return TokenValue(system: nil, code: value) }
                let code = String(value[value.index(after: bar)...])
                return TokenValue(system: String(value[..<bar]), code: code.isEmpty ? nil : code)
            }
            return SearchClause(parameter: clause.parameter, type: .token, match: .token(tokens, negated: false))
        })
        query.canonicalText = canonicalText
        return query
    }

    private static func decode(_ text: String) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? text
    }
}
