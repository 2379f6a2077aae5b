/// One SMART on FHIR clinical scope (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html),
/// in either syntax: v1 `patient/Observation.read`, `user/*.write`, `system/*.*`, or v2
/// `patient/Observation.rs`, `system/*.cruds`.
///
/// v2 scopes with a query (`patient/Observation.rs?category=laboratory`) are not supported: they are read
/// as granting nothing, so a finer grant never becomes a wider one.
public struct SMARTScope: Sendable, Hashable, CustomStringConvertible {
    /// Whose data the scope reaches: the patient in context, what the user may see, or the whole system.
    public enum Context: String, Sendable, Hashable {
        case patient, user, system
    }

    public let context: Context
    /// The resource type, or nil for `*`.
    public let resourceType: String?
    public let permissions: Set<Permission>
    /// The scope as written.
    public let description: String

    /// Parses one scope; nil when `text` is not a clinical scope (`openid`, `launch/patient`,
    /// `carebridge/admin`, a v2 scope with a query, a misspelt one).
    public init?(_ text: String) {
        guard let slash = text.firstIndex(of: "/"), let dot = text.lastIndex(of: "."), slash < dot,
              !text.contains("?")
        else { return nil }
        guard let context = Context(rawValue: String(text[..<slash])) else { return nil }
        let type = String(text[text.index(after: slash)..<dot])
        guard type == "*" || Self.isResourceTypeName(type) else { return nil }
        guard let permissions = Self.permissions(String(text[text.index(after: dot)...])) else { return nil }
        self.context = context
        self.resourceType = type == "*" ? nil : type
        self.permissions = permissions
        self.description = text
    }

    /// Whether the scope grants `permission` on `type`.
    public func grants(_ permission: Permission, on type: String) -> Bool {
        (resourceType == nil || resourceType == type) && permissions.contains(permission)
    }

    /// v1 `read`/`write`/`*`, or v2 letters from `cruds` in that order, each at most once.
    private static func permissions(_ text: String) -> Set<Permission>? {
        switch text {
        case "read": return [.read, .search]
        case "write": return [.create, .update, .delete]
        case "*": return Set(Permission.allCases)
        default:
            var granted: Set<Permission> = []
            var remaining = Permission.allCases[...]
            for letter in text {
                guard let index = remaining.firstIndex(where: { $0.rawValue == letter }) else { return nil }
                granted.insert(remaining[index])
                remaining = remaining[remaining.index(after: index)...]
            }
            return granted.isEmpty ? nil : granted
        }
    }

    private static func isResourceTypeName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("A"..."Z").contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }
}

/// What a SMART v2 scope letter allows (v1 `read` is read + search, `write` is create + update + delete).
public enum Permission: Character, Sendable, Hashable, CaseIterable {
    case create = "c", read = "r", update = "u", delete = "d", search = "s"
}
