/// The scopes of a token (or of a role), parsed once: the clinical SMART scopes and the others
/// (`openid`, `fhirUser`, `launch/patient`, the hub's own `carebridge/admin` and `carebridge/ingest`).
public struct ScopeSet: Sendable, Hashable {
    public let clinical: [SMARTScope]
    /// Scopes that are not clinical scopes, as written.
    public let others: Set<String>

    /// Parses a space-separated scope string (the OAuth `scope` parameter or claim).
    public init(_ text: String) {
        self.init(text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init))
    }

    public init(_ scopes: [String]) {
        var clinical: [SMARTScope] = []
        var others: Set<String> = []
        for scope in scopes where !scope.isEmpty {
            if let parsed = SMARTScope(scope) { clinical.append(parsed) } else { others.insert(scope) }
        }
        self.clinical = clinical
        self.others = others
    }

    /// Every scope, as written, in a stable order.
    public var all: [String] {
        clinical.map(\.description) + others.sorted()
    }

    /// The space-separated form.
    public var description: String {
        all.joined(separator: " ")
    }

    /// How far these scopes let their holder exercise `permission` on `type`: everywhere (a `user/` or
    /// `system/` scope grants it), only in the patient's compartment (only a `patient/` scope does), or not
    /// at all.
    public func reach(_ permission: Permission, on type: String) -> Reach {
        var reach = Reach.none
        for scope in clinical where scope.grants(permission, on: type) {
            if scope.context == .patient { reach = .patientCompartment } else { return .everywhere }
        }
        return reach
    }

    /// Whether a non-clinical scope such as `carebridge/admin` is present.
    public func contains(_ scope: String) -> Bool {
        others.contains(scope)
    }

    /// The scopes of `self` that `ceiling` also allows, used to cut a requested scope down to what a
    /// client's role allows. Each requested clinical scope meets each ceiling scope of the same or a wider
    /// context (`system/` covers all, `user/` covers `user/` and `patient/`) on a common type; what both grant
    /// is kept, in v2 syntax when it is narrower than the request. Other scopes must appear in both.
    public func limited(to ceiling: ScopeSet) -> ScopeSet {
        var kept: [String] = []
        for scope in clinical {
            for granting in ceiling.clinical where Self.covers(granting.context, scope.context) {
                guard scope.resourceType == nil || granting.resourceType == nil || scope.resourceType == granting.resourceType
                else { continue }
                let permissions = Permission.allCases.filter { scope.permissions.contains($0) && granting.permissions.contains($0) }
                guard !permissions.isEmpty else { continue }
                let type = scope.resourceType ?? granting.resourceType
                let text = permissions.count == scope.permissions.count && type == scope.resourceType
                    ? scope.description
                    : "\(scope.context.rawValue)/\(type ?? "*").\(String(permissions.map(\.rawValue)))"
                if !kept.contains(text) { kept.append(text) }
            }
        }
        return ScopeSet(kept + others.filter { ceiling.others.contains($0) }.sorted())
    }

    /// A `system/` grant covers any context; a `user/` grant covers `user/` and `patient/`; a `patient/`
    /// grant covers only `patient/`.
    private static func covers(_ granting: SMARTScope.Context, _ requested: SMARTScope.Context) -> Bool {
        switch granting {
        case .system: return true
        case .user: return requested != .system
        case .patient: return requested == .patient
        }
    }

    /// How far a permission reaches.
    public enum Reach: Sendable, Hashable {
        case none, patientCompartment, everywhere
    }
}
