import Foundation
import Yams

/// One YAML mapping of the security configuration, read with its place in the file named in every error
/// (`clients[2].role`), and refusing keys it does not know so a misspelt key is not silently ignored.
struct ConfigurationSection {
    let mapping: Node.Mapping
    /// Where this mapping is, e.g. `issuers[0]`; empty at the top.
    let path: String

    init(_ node: Node, path: String, allowedKeys: Set<String>) throws {
        guard let mapping = node.mapping else {
            throw AuthorizationError(.invalidConfiguration, "\(path.isEmpty ? "the file" : path) must be a mapping")
        }
        for key in mapping.keys {
            guard let name = key.string, allowedKeys.contains(name) else {
                throw AuthorizationError(
                    .invalidConfiguration,
                    "unknown key '\(key.string ?? "?")' in \(path.isEmpty ? "the file" : path); expected one of \(allowedKeys.sorted().joined(separator: ", "))"
                )
            }
        }
        self.mapping = mapping
        self.path = path
    }

    func place(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    func string(_ key: String) throws -> String? {
        guard let node = mapping[key] else { return nil }
        guard let text = node.scalar?.string, !text.isEmpty else {
            throw AuthorizationError(.invalidConfiguration, "\(place(key)) must be a non-empty text")
        }
        return text
    }

    func requiredString(_ key: String) throws -> String {
        guard let text = try string(key) else {
            throw AuthorizationError(.invalidConfiguration, "\(place(key)) is missing")
        }
        return text
    }

    func integer(_ key: String) throws -> Int? {
        guard let node = mapping[key] else { return nil }
        guard let value = node.int else {
            throw AuthorizationError(.invalidConfiguration, "\(place(key)) must be a whole number")
        }
        return value
    }

    /// The items of a sequence, each with its place (`clients[0]`); an absent key is an empty list.
    func sequence(_ key: String) throws -> [(node: Node, path: String)] {
        guard let node = mapping[key] else { return [] }
        guard let items = node.sequence else {
            throw AuthorizationError(.invalidConfiguration, "\(place(key)) must be a list")
        }
        return items.enumerated().map { ($0.element, "\(place(key))[\($0.offset)]") }
    }

    /// A list of texts, or one text.
    func strings(_ key: String) throws -> [String]? {
        guard let node = mapping[key] else { return nil }
        if let text = node.scalar?.string { return [text] }
        guard let items = node.sequence else {
            throw AuthorizationError(.invalidConfiguration, "\(place(key)) must be a list of texts")
        }
        return try items.map { item in
            guard let text = item.scalar?.string else {
                throw AuthorizationError(.invalidConfiguration, "\(place(key)) must be a list of texts")
            }
            return text
        }
    }

    /// A nested mapping turned into JSON (for an inline key set).
    func json(_ key: String) throws -> Data? {
        guard let node = mapping[key] else { return nil }
        let value = node.any
        guard JSONSerialization.isValidJSONObject(value), let data = try? JSONSerialization.data(withJSONObject: value) else {
            throw AuthorizationError(.unreadableKeySet, "\(place(key)) is not a key set")
        }
        return data
    }
}
