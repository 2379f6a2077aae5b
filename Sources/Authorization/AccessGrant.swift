/// Who is asking and what they may do: the outcome of authenticating one request, carried to every check
/// and into the audit trail.
public struct AccessGrant: Sendable, Hashable {
    /// The OAuth client (`client_id`, or the token's `azp`/`client_id` claim).
    public var clientID: String?
    /// The token's subject (`sub`): a user or, for backend services, the client itself.
    public var subject: String?
    /// The `fhirUser` claim, e.g. `Practitioner/123`.
    public var fhirUser: String?
    /// The roles the token carries, from the security configuration.
    public var roles: [String]
    /// The token's scopes.
    public var scopes: ScopeSet
    /// What the roles allow at most; nil when the token names no configured role (its scopes alone count).
    public var ceiling: ScopeSet?
    /// The patient in context (the token's `patient` claim): `patient/` scopes reach only this patient's
    /// compartment, and without it they reach nothing.
    public var patientID: String?
    /// Whether this grant stands for the hub itself or an insecure development server: everything is allowed.
    public let isUnrestricted: Bool

    public init(
        clientID: String? = nil, subject: String? = nil, fhirUser: String? = nil, roles: [String] = [],
        scopes: ScopeSet, ceiling: ScopeSet? = nil, patientID: String? = nil
    ) {
        self.clientID = clientID
        self.subject = subject
        self.fhirUser = fhirUser
        self.roles = roles
        self.scopes = scopes
        self.ceiling = ceiling
        self.patientID = patientID
        self.isUnrestricted = false
    }

    private init(unrestrictedAs clientID: String) {
        self.clientID = clientID
        self.roles = []
        self.scopes = ScopeSet([])
        self.isUnrestricted = true
    }

    /// The hub's own work (HL7v2 ingest, payment postings, webhook delivery): no limits.
    public static let hub = AccessGrant(unrestrictedAs: "carebridge")
    /// A server started with `--insecure-dev`: no limits, and audited as such.
    public static let insecureDevelopment = AccessGrant(unrestrictedAs: "insecure-dev")

    /// Whether `permission` on `type` is allowed, and if so whether only within the patient's compartment.
    public func decide(_ permission: Permission, on type: String) -> AccessDecision {
        if isUnrestricted { return .allowed }
        var reach = scopes.reach(permission, on: type)
        if let ceiling {
            switch ceiling.reach(permission, on: type) {
            case .none: reach = .none
            case .patientCompartment where reach == .everywhere: reach = .patientCompartment
            default: break
            }
        }
        switch reach {
        case .none: return .denied
        case .everywhere: return .allowed
        case .patientCompartment: return patientID.map(AccessDecision.withinCompartment) ?? .denied
        }
    }

    /// As `decide(_:on:)`, knowing whether `type` can belong to a patient's compartment: a patient-context
    /// grant reaches a type outside the compartment only to read or search it, and only through a scope that
    /// names the type (`namesExplicitly`); on such a type it is not confined.
    public func decide(_ permission: Permission, on type: String, inCompartment: Bool) -> AccessDecision {
        let decision = decide(permission, on: type)
        guard case .withinCompartment = decision, !inCompartment else { return decision }
        return (permission == .read || permission == .search) && namesExplicitly(permission, type) ? .allowed : .denied
    }

    /// Whether a scope names `type` itself, not `*`, for `permission` (within the ceiling): a patient-context
    /// grant reaches types outside the compartment only through such a scope, so that `patient/*.rs` does
    /// not open every Subscription or Binary on the server.
    public func namesExplicitly(_ permission: Permission, _ type: String) -> Bool {
        scopes.clinical.contains { $0.resourceType == type && $0.permissions.contains(permission) }
            && (ceiling.map { $0.reach(permission, on: type) != .none } ?? true)
    }

    /// Whether a hub scope such as `carebridge/admin` is granted (by the token, and by the roles if any).
    public func holds(_ scope: String) -> Bool {
        isUnrestricted || (scopes.contains(scope) && (ceiling?.contains(scope) ?? true))
    }

    /// Who this is, for logs and audit: the client, and the user when it is not the client itself.
    public var displayName: String {
        let client = clientID ?? "unknown client"
        guard let subject, subject != clientID else { return client }
        return "\(subject) via \(client)"
    }
}

/// The answer to "may this grant do that".
public enum AccessDecision: Sendable, Hashable {
    case denied
    /// Allowed on any resource of the type.
    case allowed
    /// Allowed only on resources in this patient's compartment.
    case withinCompartment(patientID: String)
}
