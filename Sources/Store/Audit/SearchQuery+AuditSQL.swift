import Foundation

/// Compilation of a search on AuditEvent to SQL over `audit_event a`: every clause is a test on the event's
/// terms (`AuditTerms`), `date` and `_lastUpdated` compare the `recorded` and `last_updated` columns.
/// What the terms cannot answer (number and quantity values, `:below`/`:above` on uris, chains, `_has`,
/// `_include`) is refused as not supported.
extension SearchQuery {
    /// ` WHERE ...` selecting the AuditEvents that match.
    func appendAuditFilter(to sql: inout SQLBuilder, now: Date = Date()) throws(StoreError) {
        guard includes.isEmpty else {
            throw StoreError(.notSupported, "_include and _revinclude are not supported on AuditEvent searches")
        }
        sql.append(" WHERE true")
        if let compartment {
            let terms = compartment.parameters.map { AuditTerms.term("r", $0, "\(compartment.type)/\(compartment.id)") }
            sql.append(" AND a.terms && ", bind: terms)
        }
        for clause in clauses {
            sql.append(" AND ")
            try clause.appendAudit(to: &sql, now: now)
        }
    }

    /// ` ORDER BY ...`: `_sort` by `date`, `_lastUpdated` or `_id`, then the id; by default oldest first.
    func appendAuditOrder(to sql: inout SQLBuilder) throws(StoreError) {
        sql.append(" ORDER BY ")
        for key in sort {
            switch key.parameter {
            case "date": sql.append("a.recorded")
            case "_lastUpdated": sql.append("a.last_updated")
            case "_id": sql.append("a.id")
            default: throw StoreError(.notSupported, "AuditEvents sort by date, _lastUpdated or _id, not \(key.parameter)")
            }
            sql.append(key.descending ? " DESC, " : ", ")
        }
        sql.append(sort.isEmpty ? "a.last_updated, a.id" : "a.id")
    }
}

extension SearchClause {
    /// This clause as a condition on `a.terms` (or a date column).
    func appendAudit(to sql: inout SQLBuilder, now: Date) throws(StoreError) {
        switch match {
        case .id(let ids):
            sql.append("a.id = ANY(", bind: ids)
            sql.append(")")
        case .date(let values):
            guard let column = ["date": "a.recorded", "_lastUpdated": "a.last_updated"][parameter] else { throw unsupported }
            sql.append("(")
            for (index, value) in values.enumerated() {
                if index > 0 { sql.append(" OR ") }
                Self.appendInstant(value, column: column, now: now, to: &sql)
            }
            sql.append(values.isEmpty ? "false)" : ")")
        case .token(let tokens, let negated):
            // `system|code` and `code` are terms; `system|` (any code of a system) is a LIKE over the terms.
            let terms = tokens.compactMap { token in token.code.map { AuditTerms.token(parameter, system: token.system, code: $0) } }
            let patterns = tokens.filter { $0.code == nil }.map { token in
                Self.likeEscaped(AuditTerms.term("t", parameter, token.system ?? "")) + (token.system == nil ? "%" : "\u{1F}%")
            }
            sql.append(negated ? "NOT (" : "(")
            appendOverlap(terms, negated: false, to: &sql)
            if !patterns.isEmpty {
                sql.append(" OR ")
                appendLike(patterns, to: &sql)
            }
            sql.append(")")
        case .reference(let values):
            appendOverlap(values.map { AuditTerms.reference(parameter, $0) }, negated: false, to: &sql)
        case .uri(let values, .exact):
            appendOverlap(values.map { AuditTerms.term("u", parameter, $0) }, negated: false, to: &sql)
        case .string(let texts, .exact):
            appendOverlap(texts.map { AuditTerms.term("e", parameter, $0) }, negated: false, to: &sql)
        case .string(let texts, let kind):
            let head = Self.likeEscaped(AuditTerms.term("s", parameter, ""))
            appendLike(texts.map { head + (kind == .contains ? "%" : "") + Self.likeEscaped($0) + "%" }, to: &sql)
        case .tokenText(let texts):
            let head = Self.likeEscaped(AuditTerms.term("x", parameter, ""))
            appendLike(texts.map { head + Self.likeEscaped($0) + "%" }, to: &sql)
        case .missing(let missing):
            if parameter == "date" || parameter == "_lastUpdated" {
                sql.append(missing ? "false" : "true")  // every event has both
                return
            }
            // Any term of the parameter, whatever its (one-letter) kind.
            sql.append(missing ? "NOT " : "")
            appendLike(["_" + Self.likeEscaped(AuditTerms.term("", parameter, "")) + "%"], to: &sql)
        case .uri, .number, .quantity, .chain, .anyOf, .referencedBy:
            throw unsupported
        }
    }

    private var unsupported: StoreError {
        StoreError(.notSupported, "this form of the parameter '\(parameter)' is not supported on AuditEvent searches")
    }

    private func appendOverlap(_ terms: [String], negated: Bool, to sql: inout SQLBuilder) {
        sql.append(negated ? "NOT (a.terms && " : "(a.terms && ", bind: terms)
        sql.append(")")
    }

    private func appendLike(_ patterns: [String], to sql: inout SQLBuilder) {
        sql.append("EXISTS (SELECT 1 FROM unnest(a.terms) t WHERE t LIKE ANY(", bind: patterns)
        sql.append("))")
    }
}
