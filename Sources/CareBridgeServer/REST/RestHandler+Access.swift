import Authorization
import FHIRCore
import FHIRProfiles
import NIOCore
import Store

/// Enforcement of the caller's `AccessGrant` (SMART scopes, roles, patient context) on each interaction.
///
/// Every leaf interaction (read, search, write, history, `$everything`, ...) asks `require` first, so batch
/// and transaction entries are checked exactly like top-level requests. A grant confined to one patient's
/// compartment sees only that compartment's resources of compartment types: searches are restricted in SQL,
/// reads of other resources answer 404 (as if they did not exist), included and history entries outside it
/// are left out, and writes must stay inside it and refer to no other patient. Types outside the compartment
/// (Practitioner, Organization, ...) it may only read and search, and only when a scope names them.
extension RestHandler {
    /// Checks that the caller may exercise `permission` on `type`; returns the patient whose compartment the
    /// interaction is confined to, or nil when it is not confined (unrestricted, or a type outside the
    /// compartment that a `patient/` scope may read).
    func require(_ permission: Permission, _ type: String) throws -> String? {
        if type == "AuditEvent", permission != .read, permission != .search {
            throw FHIRError(405, code: "not-supported", "AuditEvent is written by the server only")
        }
        switch access.decide(permission, on: type, inCompartment: compartment.includes(type)) {
        case .denied:
            let confined = access.decide(permission, on: type) != .denied
            throw FHIRError(
                403, code: "forbidden",
                "\(confined ? "A patient-context token" : "The access token") does not allow \(Self.verb(permission)) \(type)")
        case .allowed:
            return nil
        case .withinCompartment(let patientID):
            // The audit records about a patient name the staff who looked and from where: a patient sees
            // them only through a scope that names AuditEvent.
            if type == "AuditEvent", !access.namesExplicitly(permission, type) {
                throw FHIRError(403, code: "forbidden", "A patient-context token needs a scope naming AuditEvent to read the audit trail")
            }
            return patientID
        }
    }

    /// Whether `require` would let the interaction through (confined or not).
    func allows(_ permission: Permission, _ type: String) -> Bool {
        do {
            _ = try require(permission, type)
            return true
        } catch {
            return false
        }
    }

    /// As `require`, for interactions a confined grant cannot use safely (conditional writes, whose criteria
    /// could match outside the compartment).
    func requireUnconfined(_ permission: Permission, _ type: String, _ what: String) throws {
        if try require(permission, type) != nil {
            throw FHIRError(403, code: "forbidden", "\(what) is not available to a patient-context token")
        }
    }

    /// Whether the caller may see `stored` (its type, and its compartment when confined): for included,
    /// referenced and history entries, which are left out rather than refused.
    func mayRead(_ stored: StoredResource, as permission: Permission = .read) -> Bool {
        guard !access.isUnrestricted else { return true }
        do {
            try confine(stored, to: require(permission, stored.resourceType))
            return true
        } catch {
            return false
        }
    }

    /// 404 unless `stored` is in the compartment of `patientID` (nil: nothing to check). A deletion has no
    /// content to place in a compartment, so a confined caller is told it does not exist either.
    func confine(_ stored: StoredResource, to patientID: String?) throws {
        guard let patientID else { return }
        guard !stored.deleted, let resource = try? FHIRResource(parsing: stored.body.readableBytesView),
              compartment.contains(resource, patientID: patientID)
        else {
            throw FHIRError(404, code: "not-found", "\(stored.reference) does not exist")
        }
    }

    /// For a confined write: the resource must be in the compartment of `patientID` and refer to no other
    /// patient. Unconfined writes may still not refer to a patient a confined grant cannot see: that cannot
    /// happen, since only confined grants are checked.
    func confineWrite(_ resource: FHIRResource, to patientID: String?) throws {
        guard let patientID else { return }
        let others = PatientCompartment.patientsReferenced(in: .object(resource.json)).subtracting([patientID])
        guard others.isEmpty else {
            throw FHIRError(403, code: "forbidden", "A patient-context token may not write a reference to another patient")
        }
        guard compartment.contains(resource, patientID: patientID) else {
            throw FHIRError(403, code: "forbidden", "A patient-context token may only write resources of its own patient")
        }
    }

    /// Chained parameters and `_has` reach into other resources: the caller needs `search` on each type they
    /// name, and a confined caller may not reach into compartment types at all (the chained resource could
    /// belong to another patient even when the outer one does not).
    func requireChains(_ query: SearchQuery) throws {
        guard !access.isUnrestricted else { return }
        for type in Self.reachedTypes(query.clauses) {
            if try require(.search, type) != nil {
                throw FHIRError(
                    403, code: "forbidden",
                    "A patient-context token may not use chained or _has parameters through \(type)")
            }
        }
    }

    private static func reachedTypes(_ clauses: [SearchClause]) -> Set<String> {
        var types: Set<String> = []
        for clause in clauses {
            switch clause.match {
            case .chain(let targets):
                for target in targets {
                    types.insert(target.resourceType)
                    types.formUnion(reachedTypes([target.clause]))
                }
            case .referencedBy(let type, _, let inner):
                types.insert(type)
                types.formUnion(reachedTypes([inner.clause]))
            case .anyOf(let alternatives):
                types.formUnion(reachedTypes(alternatives))
            default:
                break
            }
        }
        return types
    }

    private static func verb(_ permission: Permission) -> String {
        switch permission {
        case .create: "creating"
        case .read: "reading"
        case .update: "updating"
        case .delete: "deleting"
        case .search: "searching"
        }
    }
}
