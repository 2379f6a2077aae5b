import FHIRCore

/// The search index rows of one resource version, written in the same transaction as the resource.
public struct SearchIndexEntries: Sendable, Hashable {
    /// A token: a parameter code with a system (optional) and a code.
    public struct Token: Sendable, Hashable {
        public var parameter: String
        public var system: String?
        public var code: String

        public init(parameter: String, system: String?, code: String) {
            self.parameter = parameter
            self.system = system
            self.code = code
        }
    }

    public var tokens: [Token]

    public init(tokens: [Token] = []) {
        self.tokens = tokens
    }
}

/// Derives the search index rows of a resource.
public protocol SearchIndexer: Sendable {
    /// The index rows for `resource`.
    func entries(for resource: FHIRResource) -> SearchIndexEntries
}

/// Indexes business identifiers (`identifier`, system|value), which conditional interactions match on.
public struct IdentifierIndexer: SearchIndexer {
    public init() {}

    public func entries(for resource: FHIRResource) -> SearchIndexEntries {
        let identifiers: [JSONValue]
        switch resource.json["identifier"] {
        case .array(let values): identifiers = values
        case .object(let value): identifiers = [.object(value)]
        default: identifiers = []
        }
        let tokens = identifiers.compactMap { identifier -> SearchIndexEntries.Token? in
            guard let value = identifier["value"]?.stringValue else { return nil }
            return .init(parameter: "identifier", system: identifier["system"]?.stringValue, code: value)
        }
        return SearchIndexEntries(tokens: tokens)
    }
}
