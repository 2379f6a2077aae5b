import FHIRProfiles

/// The search values of an AuditEvent as the strings of `audit_event.terms`: each index entry the search
/// index extractor finds becomes one or more terms `kind␟parameter␟value` (␟ is U+001F), so that a search
/// clause is an array containment test on one GIN index.
///
/// - token `system|code`: `t␟p␟*␟code` and `t␟p␟system␟code` (system '' when none), and its display text as
///   `x␟p␟text` for `:text`;
/// - reference: `r␟p␟Type/id` and `r␟p␟id`, or `r␟p␟url`;
/// - string: `s␟p␟normalised` (prefix and `:contains` match it with `LIKE`) and `e␟p␟as written` (`:exact`);
/// - uri: `u␟p␟value`.
///
/// Rare forms (`system|` on a token, `:missing`) are answered with `LIKE` over the terms rather than with
/// terms of their own, which keeps the GIN index to about twenty entries per event. Dates are the `recorded`
/// and `last_updated` columns; AuditEvent has no number or quantity parameters.
enum AuditTerms {
    static let separator = "\u{1F}"

    /// The terms of one event's index entries, without repeats.
    static func terms(of entries: SearchIndexEntries) -> [String] {
        var terms: [String] = []
        for token in entries.tokens {
            terms += [
                term("t", token.parameter, "*", token.code), term("t", token.parameter, token.system, token.code),
            ]
            if !token.text.isEmpty { terms.append(term("x", token.parameter, token.text)) }
        }
        for reference in entries.references {
            if reference.url.isEmpty {
                terms.append(term("r", reference.parameter, "\(reference.targetType)/\(reference.targetID)"))
                terms.append(term("r", reference.parameter, reference.targetID))
            } else {
                terms.append(term("r", reference.parameter, reference.url))
            }
        }
        for string in entries.strings {
            terms += [term("s", string.parameter, string.value), term("e", string.parameter, string.exact)]
        }
        for uri in entries.uris {
            terms.append(term("u", uri.parameter, uri.value))
        }
        var seen: Set<String> = []
        return terms.filter { seen.insert($0).inserted }
    }

    /// The term a token search value with a code matches.
    static func token(_ parameter: String, system: String?, code: String) -> String {
        term("t", parameter, system ?? "*", code)
    }

    /// The term a reference search value matches.
    static func reference(_ parameter: String, _ value: ReferenceValue) -> String {
        switch value {
        case .local(let type, let id): term("r", parameter, type.map { "\($0)/\(id)" } ?? id)
        case .url(let url): term("r", parameter, url)
        }
    }

    /// `kind␟parameter␟parts...`, with any U+001E or U+001F taken out of the parts (they separate terms and
    /// their parts, so a value cannot forge another term).
    static func term(_ kind: String, _ parameter: String, _ parts: String...) -> String {
        var term = kind + separator + parameter
        for part in parts {
            term += separator
            term += part.utf8.contains(where: { $0 == 0x1E || $0 == 0x1F }) ? part.filter { $0 != "\u{1E}" && $0 != "\u{1F}" } : part
        }
        return term
    }

    /// Joins an event's terms into one text for the bulk insert, which splits it again (`string_to_array`).
    static func joined(_ terms: [String]) -> String {
        terms.joined(separator: recordSeparator)
    }

    static let recordSeparator = "\u{1E}"
}
