import FHIRProfiles
import Foundation
import PostgresNIO

/// Compilation of a search to SQL over `resource` and the index tables of migration 3: each clause is an
/// `EXISTS` subquery on its type's table (alternatives OR-ed inside it), all clauses AND-ed.
extension SearchQuery {
    /// ` WHERE ...` selecting the current, not deleted matches of `r` (the `resource` table).
    func appendFilter(to sql: inout SQLBuilder, now: Date = Date()) {
        sql.append(" WHERE r.resource_type = ", bind: resourceType)
        sql.append(" AND NOT r.deleted")
        if let compartment { Self.append(compartment, to: &sql, ownType: resourceType == compartment.type) }
        var together: [String: [SearchClause]] = [:]
        for clause in clauses {
            if clause.isSingleValued, case .date = clause.match, clause.parameter != "_lastUpdated" {
                together[clause.parameter, default: []].append(clause)
                continue
            }
            sql.append(" AND ")
            clause.append(to: &sql, resource: "r", now: now)
        }
        for (_, group) in together.sorted(by: { $0.key < $1.key }) {
            sql.append(" AND ")
            SearchClause.appendTogether(group, to: &sql, resource: "r", now: now)
        }
    }

    private static func append(_ compartment: SearchCompartment, to sql: inout SQLBuilder, ownType: Bool) {
        sql.append(" AND (")
        if ownType {
            sql.append("r.id = ", bind: compartment.id)
            sql.append(" OR ")
        }
        sql.append("EXISTS (SELECT 1 FROM search_reference x WHERE x.resource_type = r.resource_type AND x.id = r.id")
        sql.append(" AND x.param = ANY(", bind: compartment.parameters)
        sql.append(") AND x.target_type = ", bind: compartment.type)
        sql.append(" AND x.target_id = ", bind: compartment.id)
        sql.append("))")
    }

    /// ` ORDER BY ...`: the `_sort` keys (missing values last), then the id so that pages are stable; by
    /// default the oldest change first.
    func appendOrder(to sql: inout SQLBuilder) {
        guard !sort.isEmpty else {
            sql.append(" ORDER BY r.last_updated, r.id")
            return
        }
        sql.append(" ORDER BY ")
        for key in sort {
            let direction = key.descending ? " DESC NULLS LAST, " : " NULLS LAST, "
            switch key.parameter {
            case "_id": sql.append("r.id")
            case "_lastUpdated": sql.append("r.last_updated")
            default:
                let (ascending, descending) = Self.sortColumns(key.type)
                sql.append("(SELECT \(key.descending ? descending : ascending) FROM \(SearchClause.table(key.type)) x")
                sql.append(" WHERE x.resource_type = r.resource_type AND x.id = r.id AND x.param = ", bind: key.parameter)
                sql.append(")")
            }
            sql.append(direction)
        }
        sql.append("r.id")
    }

    private static func sortColumns(_ type: SearchParameterDefinition.ParameterType) -> (String, String) {
        switch type {
        case .token: ("min(x.code)", "max(x.code)")
        case .date: ("min(x.low)", "max(x.high)")
        default: ("min(x.value)", "max(x.value)")
        }
    }
}

extension SearchClause {
    static func table(_ type: SearchParameterDefinition.ParameterType) -> String {
        switch type {
        case .string: "search_string"
        case .token: "search_token"
        case .date: "search_date"
        case .reference: "search_reference"
        case .quantity: "search_quantity"
        case .number: "search_number"
        default: "search_uri"
        }
    }

    /// Clauses on one single-valued parameter as one subquery whose row must meet them all (so that a date
    /// range `ge…&lt…` is one index range scan rather than two subqueries).
    static func appendTogether(_ clauses: [SearchClause], to sql: inout SQLBuilder, resource r: String, now: Date) {
        guard let first = clauses.first else { return }
        sql.append("EXISTS (")
        first.appendSubquery(to: &sql, resource: r)
        for clause in clauses {
            sql.append(" AND ")
            clause.appendCondition(to: &sql, now: now)
        }
        sql.append(")")
    }

    /// The clause as a condition on the resource row aliased `r`.
    func append(to sql: inout SQLBuilder, resource r: String, now: Date) {
        switch match {
        case .id(let ids):
            sql.append("\(r).id = ANY(", bind: ids)
            sql.append(")")
            return
        case .date(let values) where parameter == "_lastUpdated":
            Self.appendAny(values, to: &sql) { value, sql in Self.appendInstant(value, column: "\(r).last_updated", now: now, to: &sql) }
            return
        case .anyOf(let alternatives):
            Self.appendAny(alternatives, to: &sql) { alternative, sql in alternative.append(to: &sql, resource: r, now: now) }
            return
        case .missing(let missing):
            sql.append(missing ? "NOT EXISTS (" : "EXISTS (")
            appendSubquery(to: &sql, resource: r)
            sql.append(")")
            return
        case .referencedBy(let referring, let reference, let inner):
            let source = r + "h"
            sql.append("EXISTS (SELECT 1 FROM search_reference x WHERE x.resource_type = ", bind: referring)
            sql.append(" AND x.param = ", bind: reference)
            sql.append(" AND x.target_type = \(r).resource_type AND x.target_id = \(r).id")
            sql.append(" AND EXISTS (SELECT 1 FROM resource \(source) WHERE \(source).resource_type = ", bind: referring)
            sql.append(" AND \(source).id = x.id AND NOT \(source).deleted AND ")
            inner.clause.append(to: &sql, resource: source, now: now)
            sql.append("))")
            return
        case .chain(let targets):
            // The referenced resource (alias r + "c") exists, is current, and matches the target's clause.
            let target = r + "c"
            sql.append("EXISTS (")
            appendSubquery(to: &sql, resource: r)
            sql.append(" AND ")
            Self.appendAny(targets, to: &sql) { chained, sql in
                sql.append("(x.target_type = ", bind: chained.resourceType)
                sql.append(" AND EXISTS (SELECT 1 FROM resource \(target) WHERE \(target).resource_type = ", bind: chained.resourceType)
                sql.append(" AND \(target).id = x.target_id AND NOT \(target).deleted AND ")
                chained.clause.append(to: &sql, resource: target, now: now)
                sql.append("))")
            }
            sql.append(")")
            return
        case .token(_, negated: true):
            sql.append("NOT EXISTS (")
        default:
            sql.append("EXISTS (")
        }
        appendSubquery(to: &sql, resource: r)
        sql.append(" AND ")
        appendCondition(to: &sql, now: now)
        sql.append(")")
    }

    private func appendSubquery(to sql: inout SQLBuilder, resource r: String) {
        sql.append("SELECT 1 FROM \(Self.table(type)) x WHERE x.resource_type = \(r).resource_type AND x.id = \(r).id")
        sql.append(" AND x.param = ", bind: parameter)
    }

    private func appendCondition(to sql: inout SQLBuilder, now: Date) {
        switch match {
        case .string(let texts, let kind):
            Self.appendAny(texts, to: &sql) { text, sql in
                switch kind {
                case .exact:
                    sql.append("x.exact = ", bind: text)
                case .prefix:
                    sql.append("x.value LIKE ", bind: Self.likeEscaped(text) + "%")
                case .contains:
                    sql.append("x.value LIKE ", bind: "%" + Self.likeEscaped(text) + "%")
                }
            }
        case .token(let tokens, _):
            Self.appendAny(tokens, to: &sql) { token, sql in
                var conditions: [(String, String)] = []
                if let system = token.system { conditions.append(("x.system = ", system)) }
                if let code = token.code { conditions.append(("x.code = ", code)) }
                sql.append("(")
                for (index, (column, value)) in conditions.enumerated() {
                    if index > 0 { sql.append(" AND ") }
                    sql.append(column)
                    sql.append(bind: value)
                }
                if conditions.isEmpty { sql.append("true") }
                sql.append(")")
            }
        case .tokenText(let texts):
            Self.appendAny(texts, to: &sql) { text, sql in
                sql.append("x.text LIKE ", bind: Self.likeEscaped(text) + "%")
            }
        case .date(let values):
            Self.appendAny(values, to: &sql) { value, sql in
                Self.appendDate(value, low: "x.low", high: "x.high", now: now, to: &sql)
            }
        case .number(let numbers):
            Self.appendAny(numbers, to: &sql) { number, sql in Self.appendNumber(number, to: &sql) }
        case .quantity(let quantities):
            Self.appendAny(quantities, to: &sql) { quantity, sql in
                sql.append("(")
                Self.appendNumber(quantity.number, to: &sql)
                if let system = quantity.system {
                    sql.append(" AND x.system = ", bind: system)
                }
                if let code = quantity.code {
                    sql.append(" AND x.code = ", bind: code)
                }
                sql.append(")")
            }
        case .reference(let references):
            Self.appendAny(references, to: &sql) { reference, sql in
                switch reference {
                case .url(let url):
                    sql.append("x.url = ", bind: url)
                case .local(let type, let id):
                    sql.append("(x.target_id = ", bind: id)
                    if let type {
                        sql.append(" AND x.target_type = ", bind: type)
                    }
                    sql.append(")")
                }
            }
        case .uri(let uris, let kind):
            Self.appendAny(uris, to: &sql) { uri, sql in
                switch kind {
                case .exact:
                    sql.append("x.value = ", bind: uri)
                case .below:
                    sql.append("x.value LIKE ", bind: Self.likeEscaped(uri) + "%")
                case .above:
                    sql.append("starts_with(", bind: uri)
                    sql.append(", x.value)")
                }
            }
        case .missing, .id, .chain, .referencedBy, .anyOf:
            sql.append("true")
        }
    }

    /// The alternatives OR-ed; no alternatives match nothing.
    private static func appendAny<T>(_ values: [T], to sql: inout SQLBuilder, _ each: (T, inout SQLBuilder) -> Void) {
        guard !values.isEmpty else {
            sql.append("false")
            return
        }
        sql.append("(")
        for (index, value) in values.enumerated() {
            if index > 0 { sql.append(" OR ") }
            each(value, &sql)
        }
        sql.append(")")
    }

    /// `LIKE` metacharacters of `text` escaped with the default escape character `\`.
    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}

extension SearchQuery {
    /// One token parameter with a system and a code.
    struct SoleToken: Hashable {
        let parameter: String
        let system: String
        let code: String
    }

    /// For criteria that are one token with a system and a code and nothing else (`identifier=system|value`,
    /// what conditional interactions mostly use), that token; nil for other criteria. Such criteria are matched
    /// by `carebridge_token_match` (migrations 14 and 15), which reads the token's index rows first and looks up each
    /// one's resource by primary key: the general form lets the planner start from the resources of the type
    /// instead, and statistics taken while the tables were small (an early automatic ANALYZE of a new
    /// database) made it do so, scanning every resource of the type for each match until the next ANALYZE.
    var soleToken: SoleToken? {
        guard clauses.count == 1, compartment == nil, let clause = clauses.first, clause.type == .token,
              case .token(let tokens, negated: false) = clause.match, tokens.count == 1,
              let system = tokens[0].system, let code = tokens[0].code
        else { return nil }
        return SoleToken(parameter: clause.parameter, system: system, code: code)
    }
}
