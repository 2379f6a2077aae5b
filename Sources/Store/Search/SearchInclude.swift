import FHIRProfiles

/// An `_include` or `_revinclude` (https://hl7.org/fhir/R4/search.html#include): resources referred to by the
/// matches (`_include=Observation:subject[:Patient]`), or referring to them (`_revinclude=Observation:subject`).
public struct SearchInclude: Sendable, Hashable {
    /// Whether this is `_revinclude`.
    public var reverse: Bool
    /// The type holding the reference (`Observation`).
    public var sourceType: String
    /// The reference parameters followed (all of the source type's for `*`).
    public var parameters: [String]
    /// The only type of resource to include, when given.
    public var targetType: String?
    /// `:iterate`: also applied to the resources included, until nothing new comes.
    public var iterate: Bool

    /// Parses the value of `_include`/`_revinclude` (`name` with an optional `:iterate` or `:recurse`) for a
    /// search on `type`.
    init(name: String, value: String, type: String, registry: ProfileRegistry) throws {
        let modifier = name.split(separator: ":", maxSplits: 1).dropFirst().first.map(String.init)
        guard modifier == nil || modifier == "iterate" || modifier == "recurse" else {
            throw SearchValueParser.Unsupported(message: "modifier ':\(modifier ?? "")' is not supported on \(name)")
        }
        reverse = name.hasPrefix("_revinclude")
        iterate = modifier != nil
        let parts = value.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if value == "*" && !reverse {
            sourceType = type
            parameters = registry.searchParameters(for: type).filter { $0.type == .reference && $0.expression != nil }.map(\.code)
            targetType = nil
            return
        }
        guard parts.count == 2 || parts.count == 3, registry.isServed(parts[0]) else {
            throw StoreError(.invalidRequest, "\(name)=\(value) is not of the form Type:parameter[:targetType] (or *)")
        }
        sourceType = parts[0]
        targetType = parts.count == 3 ? parts[2] : nil
        if parts[1] == "*" {
            parameters = registry.searchParameters(for: sourceType).filter { $0.type == .reference && $0.expression != nil }
                .map(\.code)
        } else {
            guard let definition = registry.searchParameter(parts[1], for: sourceType), definition.type == .reference else {
                throw SearchValueParser.Unsupported(message: "\(name)=\(value): \(sourceType) has no reference parameter '\(parts[1])'")
            }
            parameters = [parts[1]]
        }
        if !reverse && !iterate && sourceType != type {
            throw StoreError(.invalidRequest, "\(name)=\(value) names \(sourceType), but the search is on \(type) (use :iterate)")
        }
    }
}
