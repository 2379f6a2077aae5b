import Authorization
import Testing

@Suite("SMART scopes")
struct ScopeTests {
    @Test("v1 and v2 scopes parse into context, type and permissions", arguments: [
        ("patient/*.read", SMARTScope.Context.patient, nil as String?, "rs"),
        ("user/Appointment.write", .user, "Appointment", "cud"),
        ("system/*.*", .system, nil, "cruds"),
        ("patient/Observation.rs", .patient, "Observation", "rs"),
        ("system/*.cruds", .system, nil, "cruds"),
        ("user/Patient.u", .user, "Patient", "u"),
        ("user/Task.cd", .user, "Task", "cd"),
    ])
    func parses(text: String, context: SMARTScope.Context, type: String?, letters: String) throws {
        let scope = try #require(SMARTScope(text))
        #expect(scope.context == context)
        #expect(scope.resourceType == type)
        #expect(scope.permissions == Set(letters.compactMap(Permission.init(rawValue:))))
        #expect(scope.description == text)
    }

    @Test("Misspelt, out-of-order, repeated and query scopes are not clinical scopes", arguments: [
        "patient/Observation.sr", "patient/Observation.rr", "user/observation.read", "doctor/Patient.read",
        "patient/Observation.rs?category=laboratory", "patient/Observation.", "patient/.read", "Patient.read",
        "openid", "launch/patient", "carebridge/admin", "patient/Observation.readwrite", "system/*.x", "user/Pat-ient.rs",
    ])
    func refuses(text: String) {
        #expect(SMARTScope(text) == nil)
    }

    @Test("A scope string keeps clinical and other scopes apart")
    func scopeSet() {
        let scopes = ScopeSet("openid  patient/Observation.rs\tcarebridge/admin user/Foo.bar")
        #expect(scopes.clinical.map(\.description) == ["patient/Observation.rs"])
        #expect(scopes.others == ["openid", "carebridge/admin", "user/Foo.bar"])
        #expect(scopes.contains("carebridge/admin"))
        #expect(!scopes.contains("carebridge/ingest"))
    }

    @Test("Reach: user and system scopes reach everywhere, patient scopes the compartment")
    func reach() {
        let scopes = ScopeSet("patient/Observation.rs user/Appointment.read system/Task.c")
        #expect(scopes.reach(.read, on: "Observation") == .patientCompartment)
        #expect(scopes.reach(.create, on: "Observation") == .none)
        #expect(scopes.reach(.search, on: "Appointment") == .everywhere)
        #expect(scopes.reach(.update, on: "Appointment") == .none)
        #expect(scopes.reach(.create, on: "Task") == .everywhere)
        #expect(scopes.reach(.read, on: "Patient") == .none)
        #expect(ScopeSet("patient/*.read user/Observation.s").reach(.search, on: "Observation") == .everywhere)
    }

    @Test("limited(to:) keeps what both allow, narrowing permissions and types")
    func limited() {
        let ceiling = ScopeSet("system/Observation.cruds system/Patient.rs carebridge/ingest")
        #expect(ScopeSet("system/Observation.rs").limited(to: ceiling).all == ["system/Observation.rs"])
        #expect(ScopeSet("system/*.read").limited(to: ceiling).all == ["system/Observation.rs", "system/Patient.rs"])
        #expect(ScopeSet("system/Patient.cruds").limited(to: ceiling).all == ["system/Patient.rs"])
        #expect(ScopeSet("system/*.*").limited(to: ceiling).all == ["system/Observation.cruds", "system/Patient.rs"])
        #expect(ScopeSet("system/Appointment.rs carebridge/admin").limited(to: ceiling).all.isEmpty)
        #expect(ScopeSet("carebridge/ingest openid").limited(to: ceiling).all == ["carebridge/ingest"])
    }

    @Test("limited(to:) never widens a context: user/ ceilings do not grant system/, patient/ only patient/")
    func limitedContexts() {
        #expect(ScopeSet("system/Observation.rs").limited(to: ScopeSet("user/Observation.rs")).all.isEmpty)
        #expect(ScopeSet("patient/Observation.rs").limited(to: ScopeSet("user/Observation.rs")).all == ["patient/Observation.rs"])
        #expect(ScopeSet("user/Observation.rs").limited(to: ScopeSet("patient/*.rs")).all.isEmpty)
        #expect(ScopeSet("patient/Observation.read").limited(to: ScopeSet("system/*.*")).all == ["patient/Observation.read"])
    }
}

@Suite("Access grants")
struct AccessGrantTests {
    @Test("A grant is decided by its scopes, cut by its role's ceiling")
    func decideWithCeiling() {
        let grant = AccessGrant(
            clientID: "lab", roles: ["lab-system"], scopes: ScopeSet("system/*.cruds"),
            ceiling: ScopeSet("system/Observation.cruds system/Patient.rs")
        )
        #expect(grant.decide(.create, on: "Observation") == .allowed)
        #expect(grant.decide(.read, on: "Patient") == .allowed)
        #expect(grant.decide(.update, on: "Patient") == .denied)
        #expect(grant.decide(.read, on: "Appointment") == .denied)
    }

    @Test("Patient scopes reach the patient's compartment, and nothing without a patient")
    func patientCompartment() {
        let scopes = ScopeSet("patient/*.rs")
        #expect(AccessGrant(scopes: scopes, patientID: "p1").decide(.read, on: "Observation") == .withinCompartment(patientID: "p1"))
        #expect(AccessGrant(scopes: scopes).decide(.read, on: "Observation") == .denied)
        #expect(AccessGrant(scopes: scopes, patientID: "p1").decide(.create, on: "Observation") == .denied)
    }

    @Test("A patient-only ceiling narrows a user scope to the compartment")
    func ceilingNarrowsReach() {
        let grant = AccessGrant(scopes: ScopeSet("user/*.rs"), ceiling: ScopeSet("patient/*.rs"), patientID: "p9")
        #expect(grant.decide(.search, on: "Observation") == .withinCompartment(patientID: "p9"))
    }

    @Test("Hub scopes need the token and the role; unrestricted grants hold everything")
    func hubScopes() {
        let admin = AccessGrant(scopes: ScopeSet("carebridge/admin"), ceiling: ScopeSet("carebridge/admin user/*.*"))
        #expect(admin.holds(HubScope.admin))
        #expect(!admin.holds(HubScope.ingest))
        #expect(!AccessGrant(scopes: ScopeSet("carebridge/admin"), ceiling: ScopeSet("user/*.*")).holds(HubScope.admin))
        #expect(AccessGrant(scopes: ScopeSet("carebridge/ingest")).holds(HubScope.ingest))
        #expect(AccessGrant.insecureDevelopment.holds(HubScope.admin))
        #expect(AccessGrant.hub.decide(.delete, on: "Patient") == .allowed)
        #expect(AccessGrant(scopes: ScopeSet([])).decide(.read, on: "Patient") == .denied)
    }

    @Test("The display name names the user and the client")
    func displayName() {
        #expect(AccessGrant(clientID: "portal", subject: "alice", scopes: ScopeSet([])).displayName == "alice via portal")
        #expect(AccessGrant(clientID: "lab", subject: "lab", scopes: ScopeSet([])).displayName == "lab")
        #expect(AccessGrant(scopes: ScopeSet([])).displayName == "unknown client")
    }
}
