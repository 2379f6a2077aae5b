import FHIRCore
import FHIRProfiles

/// Parses the value (and modifier) of one search parameter into what its clause matches, by parameter type
/// (https://hl7.org/fhir/R4/search.html#ptypes); `,` separates alternatives and `\` escapes `,` `|` `$` `\`.
struct SearchValueParser {
    /// A parameter or modifier the server does not support (ignored under lenient handling).
    struct Unsupported: Error {
        let message: String
    }

    let resourceType: String
    let definition: SearchParameterDefinition
    let modifier: String?
    let registry: ProfileRegistry
    let localBase: String?

    private var code: String { definition.code }

    /// The clause for `value`. `:identifier` on a reference and `:of-type` on a token match token rows
    /// indexed under the parameter's name with the modifier (see `SearchIndexExtractor.identifierModifier`).
    func clause(_ value: String) throws -> SearchClause {
        switch (definition.type, modifier) {
        case (.reference, SearchIndexExtractor.identifierModifier?):
            guard !value.isEmpty else { throw StoreError(.invalidRequest, "search parameter '\(code)' has no value") }
            return SearchClause(
                parameter: code + ":" + SearchIndexExtractor.identifierModifier, type: .token,
                match: .token(try Self.split(value, on: ",").map(token), negated: false))
        case (.token, SearchIndexExtractor.ofTypeModifier?):
            return SearchClause(
                parameter: code + ":" + SearchIndexExtractor.ofTypeModifier, type: .token,
                match: .token(try Self.split(value, on: ",").map(ofType), negated: false))
        case (.composite, _):
            return try composite(value)
        default:
            return SearchClause(
                parameter: code, type: definition.type, match: try match(value),
                isSingleValued: registry.isSingleValued(definition, for: resourceType))
        }
    }

    /// A composite of a token and a value (`code-value-quantity=http://loinc.org|8480-6$gt100`): the value
    /// part's clause on the rows indexed under `code$system|code` (or `code$*|code` when no system is given;
    /// see `SearchIndexExtractor`), alternatives OR-ed.
    private func composite(_ value: String) throws -> SearchClause {
        guard let parts = registry.compositeParts(of: definition, for: resourceType) else {
            throw Unsupported(message: "composite parameter '\(code)' is not supported (only token$value composites are)")
        }
        if let modifier { throw Unsupported(message: "modifier ':\(modifier)' is not supported on composite parameter '\(code)'") }
        guard !value.isEmpty else { throw StoreError(.invalidRequest, "search parameter '\(code)' has no value") }
        let valueParser = SearchValueParser(
            resourceType: resourceType, definition: parts.value, modifier: nil, registry: registry, localBase: localBase)
        var alternatives: [SearchClause] = []
        for alternative in Self.split(value, on: ",") {
            let malformed = StoreError(
                .invalidRequest, "\(code) takes [system|]code$value (e.g. http://loinc.org|8480-6$gt100), not '\(alternative)'")
            let pieces = Self.split(alternative, on: "$")
            guard pieces.count == 2, !pieces[1].isEmpty else { throw malformed }
            let part = try token(pieces[0])
            guard let tokenCode = part.code else { throw malformed }
            let key = (part.system ?? "*") + "|" + tokenCode
            alternatives.append(SearchClause(parameter: code + "$" + key, type: parts.value.type, match: try valueParser.match(pieces[1])))
        }
        if alternatives.count == 1, let only = alternatives.first { return only }
        return SearchClause(parameter: code, type: .composite, match: .anyOf(alternatives))
    }

    func match(_ value: String) throws -> SearchClause.Match {
        guard !value.isEmpty else { throw StoreError(.invalidRequest, "search parameter '\(code)' has no value") }
        guard definition.expression != nil, definition.type != .composite, definition.type != .special else {
            throw Unsupported(message: "search parameter '\(code)' (\(definition.type.rawValue)) is not supported")
        }
        if modifier == "missing" {
            guard code != "_id", code != "_lastUpdated" else {
                throw Unsupported(message: "\(code) is never missing, so :missing is not supported on it")
            }
            guard value == "true" || value == "false" else {
                throw StoreError(.invalidRequest, "\(code):missing takes true or false, not '\(value)'")
            }
            return .missing(value == "true")
        }
        let values = Self.split(value, on: ",")
        if code == "_id" {
            try allow([])
            return .id(values.map(Self.unescape))
        }
        switch definition.type {
        case .string:
            try allow(["exact", "contains"])
            let match: SearchClause.StringMatch = modifier == "exact" ? .exact : modifier == "contains" ? .contains : .prefix
            let texts = values.map(Self.unescape)
            return .string(match == .exact ? texts : try texts.map(searchable), match)
        case .token:
            try allow(["text", "not", "in", "not-in"])
            switch modifier {
            case "text": return .tokenText(try values.map { try searchable(Self.unescape($0)) })
            case "in", "not-in": return .token(try values.flatMap(valueSetTokens), negated: modifier == "not-in")
            default: return .token(try values.map(token), negated: modifier == "not")
            }
        case .date:
            try allow([])
            return .date(try values.map(date))
        case .number:
            try allow([])
            return .number(try values.map(number))
        case .quantity:
            try allow([])
            return .quantity(try values.map(quantity))
        case .uri:
            try allow(["below", "above"])
            let match: SearchClause.URIMatch = modifier == "below" ? .below : modifier == "above" ? .above : .exact
            return .uri(values.map(Self.unescape), match)
        case .reference:
            return .reference(try values.map(reference))
        case .composite, .special:
            throw Unsupported(message: "search parameter '\(code)' (\(definition.type.rawValue)) is not supported")
        }
    }

    private func allow(_ modifiers: Set<String>) throws {
        guard let modifier, !modifiers.contains(modifier) else { return }
        throw Unsupported(message: "modifier ':\(modifier)' is not supported on \(definition.type.rawValue) parameter '\(code)'")
    }

    private func token(_ raw: String) throws -> TokenValue {
        let parts = Self.split(raw, on: "|")
        guard parts.count > 1 else { return TokenValue(system: nil, code: Self.unescape(raw)) }
        let system = Self.unescape(parts[0])
        let code = Self.unescape(parts.dropFirst().joined(separator: "|"))
        guard !system.isEmpty || !code.isEmpty else {
            throw StoreError(.invalidRequest, "search parameter '\(self.code)' has a token with neither a system nor a code ('\(raw)')")
        }
        return TokenValue(system: system, code: code.isEmpty ? nil : code)
    }

    /// `text` normalized for prefix and `:contains` matching; text that normalizes to nothing (white space)
    /// would match every value, so it is refused.
    private func searchable(_ text: String) throws -> String {
        let normalized = SearchText.normalized(text)
        guard !normalized.isEmpty else {
            throw StoreError(.invalidRequest, "search parameter '\(code)' has a value with nothing to search for")
        }
        return normalized
    }

    /// `:of-type`: `typeSystem|typeCode|value`, all three required
    /// (https://hl7.org/fhir/R4/search.html#modifiers).
    private func ofType(_ raw: String) throws -> TokenValue {
        let parts = Self.split(raw, on: "|").map(Self.unescape)
        guard parts.count == 3, !parts[1].isEmpty, !parts[2].isEmpty else {
            throw StoreError(.invalidRequest, "\(code):of-type takes type-system|type-code|value, not '\(raw)'")
        }
        return TokenValue(system: parts[0], code: parts[1] + "|" + parts[2])
    }

    /// `:in`/`:not-in`: the codes of value set `raw` (one the hub has expanded, from a required binding).
    private func valueSetTokens(_ raw: String) throws -> [TokenValue] {
        let url = Self.unescape(raw)
        guard let codes = registry.valueSetCodes(url) else {
            throw Unsupported(message: "value set '\(url)' is not known here: :in and :not-in take the R4 value sets of required bindings")
        }
        return codes.keys.sorted().flatMap { system in
            (codes[system] ?? []).sorted().map { TokenValue(system: system, code: $0) }
        }
    }

    private func prefixed(_ raw: String) throws -> (SearchPrefix, String) {
        let text = Self.unescape(raw)
        guard text.count > 2, let prefix = SearchPrefix(rawValue: String(text.prefix(2))) else { return (.eq, text) }
        let allowed = definition.comparators
        guard allowed.isEmpty || allowed.contains(prefix.rawValue) else {
            throw Unsupported(message: "prefix '\(prefix.rawValue)' is not allowed on '\(code)'")
        }
        return (prefix, String(text.dropFirst(2)))
    }

    private func date(_ raw: String) throws -> DateValue {
        let (prefix, text) = try prefixed(raw)
        guard let value = FHIRDateTime(text) else {
            throw StoreError(.invalidRequest, "'\(text)' is not a valid date for '\(code)' (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime)")
        }
        return DateValue(prefix: prefix, low: value.lowerBound, high: value.upperBound)
    }

    private func number(_ raw: String) throws -> NumberValue {
        let (prefix, text) = try prefixed(raw)
        return NumberValue(prefix: prefix, text: text, precisionExponent: try precisionExponent(text))
    }

    /// The power of ten of the last significant digit (`100` → 0, `100.25` → -2, `1e2` → 2).
    private func precisionExponent(_ text: String) throws -> Int {
        guard let exponent = DecimalPrecision.lastDigitExponent(of: text) else {
            throw StoreError(.invalidRequest, "'\(text)' is not a valid number for '\(code)'")
        }
        return exponent
    }

    private func quantity(_ raw: String) throws -> QuantityValue {
        let parts = Self.split(raw, on: "|")
        guard parts.count == 1 || parts.count == 3 else {
            throw StoreError(.invalidRequest, "'\(raw)' is not a quantity for '\(code)' (number, number|system|code or number||unit)")
        }
        let number = try number(parts[0])
        guard parts.count == 3 else { return QuantityValue(number: number, system: nil, code: nil) }
        let system = Self.unescape(parts[1])
        let unit = Self.unescape(parts[2])
        return QuantityValue(number: number, system: system.isEmpty ? nil : system, code: unit.isEmpty ? nil : unit)
    }

    private func reference(_ raw: String) throws -> ReferenceValue {
        var text = Self.unescape(raw)
        var typeModifier: String?
        if let modifier {
            let known = definition.targets.isEmpty ? registry.isServed(modifier) : definition.targets.contains(modifier)
            guard known else {
                throw Unsupported(message: "modifier ':\(modifier)' is not a target type of reference parameter '\(code)'")
            }
            typeModifier = modifier
        }
        if let localBase, text.hasPrefix(localBase + "/") { text = String(text.dropFirst(localBase.count + 1)) }
        if text.contains("://") || text.hasPrefix("urn:") {
            return .url(text.split(separator: "|", maxSplits: 1).first.map(String.init) ?? text)
        }
        let segments = text.split(separator: "/").map(String.init)
        if segments.count >= 2, let first = segments[0].first, first.isUppercase {
            return .local(type: segments[0], id: segments[1])
        }
        guard segments.count == 1 else {
            throw StoreError(.invalidRequest, "'\(text)' is not a reference for '\(code)' (Type/id, id or an absolute URL)")
        }
        let targets = definition.targets
        return .local(type: typeModifier ?? (targets.count == 1 ? targets[0] : nil), id: segments[0])
    }

    /// `text` split on `separator` (ASCII) where it is not escaped by `\`; escapes are kept. Read by bytes: a
    /// separator is never part of another character's UTF-8.
    static func split(_ text: String, on separator: Unicode.Scalar) -> [String] {
        let target = UInt8(ascii: separator)
        let bytes = text.utf8
        guard bytes.contains(target) else { return [text] }
        var parts: [String] = []
        var start = bytes.startIndex
        var escaped = false
        for index in bytes.indices {
            let byte = bytes[index]
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == target {
                parts.append(String(decoding: bytes[start..<index], as: UTF8.self))
                start = bytes.index(after: index)
            }
        }
        parts.append(String(decoding: bytes[start...], as: UTF8.self))
        return parts
    }

    /// `text` with the escapes `\,` `\|` `\$` `\\` resolved; any other backslash, a trailing one included,
    /// is the character itself (dropping it would turn `x\` into `x` and a lone `\` into an empty value).
    static func unescape(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "\\")) else { return text }
        var result = ""
        var escaped = false
        for character in text {
            if escaped {
                if !escapable.contains(character) { result.append("\\") }
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        if escaped { result.append("\\") }
        return result
    }

    /// The characters `\` escapes in search values.
    static let escapable: Set<Character> = ["\\", ",", "|", "$"]
}
