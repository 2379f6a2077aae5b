import FHIRCore
import FHIRProfiles
import Foundation

extension SearchQuery {
    /// Result parameters that are not implemented yet; refused rather than ignored.
    static let notYetSupported: Set<String> = [
        "_contained", "_containedType", "_list",
    ]

    /// The most values one search may name in its filters, `_sort` keys and `_include`s together. Each
    /// becomes bind parameters and a condition of one SQL statement, and PostgreSQL takes at most 65,535
    /// parameters, so a longer list is refused (400) rather than failing in the database.
    public static let maximumValues = 1_000

    /// Parameters that set how results are shown, not what matches; they do not count against `maximumValues`.
    private static let presentation: Set<String> = ["_format", "_pretty", "_count", "_offset", "_total", "_summary", "_elements"]

    /// Parses decoded query parameters of a search on `type`, from the parameters the registry defines.
    ///
    /// Unknown or unsupported parameters and modifiers are errors, or with `lenient` are skipped and listed in
    /// `ignored`; malformed values are always errors. `localBase` (`https://host/fhir`) is stripped from
    /// absolute reference values so that they match local references.
    public init(
        type: String, parameters: [(name: String, value: String)], registry: ProfileRegistry,
        lenient: Bool = false, localBase: String? = nil
    ) throws(StoreError) {
        self.init(resourceType: type)
        var filters: [String] = []
        var named = 0
        for (name, value) in parameters {
            let code = String(name.prefix { $0 != ":" })
            if !Self.presentation.contains(code) {
                named += SearchValueParser.split(value, on: ",").count
                guard named <= Self.maximumValues else {
                    throw StoreError(.invalidRequest, "A search may name at most \(Self.maximumValues) values in all")
                }
            }
            switch code {
            case "_format", "_pretty": continue
            case "_count": count = try Self.nonNegative(name, value)
            case "_offset": offset = try Self.nonNegative(name, value)
            case "_total":
                guard let mode = Total(rawValue: value) else {
                    throw StoreError(.invalidRequest, "_total must be none, estimate or accurate, not '\(value)'")
                }
                total = mode
            case "_sort":
                for key in value.split(separator: ",").map(String.init) {
                    if let key = try Self.sortKey(key, type: type, registry: registry, lenient: lenient, ignored: &ignored) {
                        sort.append(key)
                    }
                }
            case "_summary":
                guard let mode = Summary(rawValue: value) else {
                    throw StoreError(.invalidRequest, "_summary must be true, text, data, count or false, not '\(value)'")
                }
                summary = mode
            case "_elements":
                elements = (elements ?? []) + Self.elementNames(value)
            case "_include", "_revinclude":
                do {
                    includes.append(try SearchInclude(name: name, value: value, type: type, registry: registry))
                } catch let refusal as SearchValueParser.Unsupported {
                    try Self.refuse(refusal.message, lenient: lenient, ignored: &ignored)
                } catch {
                    throw error as? StoreError ?? StoreError(.invalidRequest, "\(error)")
                }
            default:
                if Self.notYetSupported.contains(code) {
                    try Self.refuse("'\(code)' is not supported yet", lenient: lenient, ignored: &ignored)
                    continue
                }
                do {
                    clauses.append(try Self.clause(name, value, type: type, registry: registry, localBase: localBase))
                    filters.append("\(name)=\(value)")
                } catch let refusal as SearchValueParser.Unsupported {
                    try Self.refuse(refusal.message, lenient: lenient, ignored: &ignored)
                } catch let error as StoreError {
                    throw error
                } catch {
                    throw StoreError(.invalidRequest, "\(error)")
                }
            }
        }
        canonicalText = filters.sorted().joined(separator: "&")
    }

    /// The element names of an `_elements` value (`name,birthDate`).
    public static func elementNames(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Parses conditional criteria (`identifier=a|1&_id=x`, percent-encoded); at least one filter is required
    /// and nothing may be ignored, since ignoring a filter would match too much.
    public init(conditional queryString: String, type: String, registry: ProfileRegistry) throws(StoreError) {
        try self.init(type: type, parameters: FormEncoding.pairs(queryString), registry: registry)
        guard !clauses.isEmpty else { throw StoreError(.invalidRequest, "conditional criteria are empty") }
    }

    /// The clause of parameter `name` (`birthdate`, `family:exact`, `subject:Patient.name`) on `type`.
    private static func clause(
        _ name: String, _ value: String, type: String, registry: ProfileRegistry, localBase: String?
    ) throws -> SearchClause {
        if name.hasPrefix("_has:") { return try reverseClause(name, value, type: type, registry: registry, localBase: localBase) }
        guard let dot = name.firstIndex(of: ".") else {
            let parts = name.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let definition = registry.searchParameter(parts[0], for: type) else {
                throw SearchValueParser.Unsupported(message: "unknown search parameter '\(parts[0])' for \(type)")
            }
            let parser = SearchValueParser(
                resourceType: type, definition: definition, modifier: parts.count > 1 ? parts[1] : nil, registry: registry,
                localBase: localBase
            )
            return try parser.clause(value)
        }
        let head = name[..<dot].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let rest = String(name[name.index(after: dot)...])
        guard let definition = registry.searchParameter(head[0], for: type) else {
            throw SearchValueParser.Unsupported(message: "unknown search parameter '\(head[0])' for \(type)")
        }
        guard definition.type == .reference else {
            throw StoreError(.invalidRequest, "'\(head[0])' is not a reference parameter, so '\(name)' cannot chain")
        }
        var candidates = definition.targets
        if head.count > 1 {
            guard candidates.contains(head[1]) else {
                throw SearchValueParser.Unsupported(message: "'\(head[1])' is not a target type of '\(head[0])'")
            }
            candidates = [head[1]]
        }
        let next = rest.prefix { $0 != "." && $0 != ":" }
        var targets: [SearchClause.ChainTarget] = []
        for target in candidates where registry.isServed(target) && registry.searchParameter(String(next), for: target) != nil {
            let inner = try clause(rest, value, type: target, registry: registry, localBase: localBase)
            targets.append(SearchClause.ChainTarget(resourceType: target, clause: inner))
        }
        guard !targets.isEmpty else {
            throw SearchValueParser.Unsupported(message: "no target type of '\(head[0])' has a search parameter '\(next)'")
        }
        return SearchClause(parameter: head[0], type: .reference, match: .chain(targets))
    }

    /// `_has:Type:reference:parameter` (https://hl7.org/fhir/R4/search.html#has); `parameter` may itself be a
    /// `_has`, a chain or carry a modifier.
    private static func reverseClause(
        _ name: String, _ value: String, type: String, registry: ProfileRegistry, localBase: String?
    ) throws -> SearchClause {
        let parts = name.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, !parts[3].isEmpty else {
            throw StoreError(.invalidRequest, "'\(name)' is not of the form _has:Type:reference:parameter")
        }
        let (referring, reference) = (parts[1], parts[2])
        guard registry.isServed(referring), let definition = registry.searchParameter(reference, for: referring),
              definition.type == .reference, definition.targets.isEmpty || definition.targets.contains(type) else {
            throw SearchValueParser.Unsupported(
                message: "'\(name)': \(referring) has no reference parameter '\(reference)' that can point to \(type)"
            )
        }
        let inner = try clause(parts[3], value, type: referring, registry: registry, localBase: localBase)
        return SearchClause(
            parameter: "_has", type: .reference,
            match: .referencedBy(resourceType: referring, reference: reference, clause: .init(inner))
        )
    }

    private static func refuse(_ message: String, lenient: Bool, ignored: inout [String]) throws(StoreError) {
        guard lenient else { throw StoreError(.notSupported, message) }
        ignored.append(message)
    }

    private static func nonNegative(_ name: String, _ value: String) throws(StoreError) -> Int {
        guard let number = Int(value), number >= 0 else {
            throw StoreError(.invalidRequest, "\(name) must be a non-negative integer, not '\(value)'")
        }
        return number
    }

    private static func sortKey(
        _ text: String, type: String, registry: ProfileRegistry, lenient: Bool, ignored: inout [String]
    ) throws(StoreError) -> SearchSortKey? {
        let descending = text.hasPrefix("-")
        let code = descending ? String(text.dropFirst()) : text
        guard let definition = registry.searchParameter(code, for: type) else {
            try refuse("cannot sort on unknown parameter '\(code)' for \(type)", lenient: lenient, ignored: &ignored)
            return nil
        }
        let sortable: Set<SearchParameterDefinition.ParameterType> = [.string, .token, .date, .number, .quantity, .uri]
        guard sortable.contains(definition.type) else {
            try refuse("sorting on \(definition.type.rawValue) parameter '\(code)' is not supported", lenient: lenient, ignored: &ignored)
            return nil
        }
        return SearchSortKey(parameter: code, type: definition.type, descending: descending)
    }
}
