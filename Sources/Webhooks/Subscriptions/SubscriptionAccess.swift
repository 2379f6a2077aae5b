import Authorization
import FHIRCore
import FHIRProfiles

/// What the creator of a Subscription was allowed to see, stamped on the Subscription by the server (a
/// client cannot write it) so that notifications carry only what the subscriber's scopes allow: events on
/// types the scopes do not let it read are not recorded, and a patient-context subscriber hears only of its
/// own patient's compartment.
public enum SubscriptionAccess {
    /// The extension's URL: a complex extension with `client`, `scope` and `patient` strings.
    public static let url = "http://carebridge.dev/fhir/StructureDefinition/subscription-access"

    /// `resource` with any client-written access extension removed and `grant`'s recorded (none for an
    /// unrestricted grant: the hub's own subscriptions see everything).
    public static func stamped(_ resource: JSONObject, with grant: AccessGrant) -> JSONObject {
        var resource = resource
        var extensions = (resource["extension"]?.arrayValue ?? []).filter { $0["url"]?.stringValue != url }
        if !grant.isUnrestricted {
            let scopes = grant.ceiling.map { grant.scopes.limited(to: $0) } ?? grant.scopes
            var parts: [JSONValue] = [part("scope", scopes.description)]
            if let client = grant.clientID { parts.insert(part("client", client), at: 0) }
            if let patient = grant.patientID { parts.append(part("patient", patient)) }
            extensions.append(.object(JSONObject([("url", .string(url)), ("extension", .array(parts))])))
        }
        resource["extension"] = extensions.isEmpty ? nil : .array(extensions)
        return resource
    }

    /// The grant recorded on `resource`; nil when there is none (unrestricted).
    public static func grant(of resource: JSONValue) -> AccessGrant? {
        guard let stamp = resource["extension"]?.arrayValue?.first(where: { $0["url"]?.stringValue == url }) else { return nil }
        let parts = stamp["extension"]?.arrayValue ?? []
        func value(_ name: String) -> String? {
            parts.first { $0["url"]?.stringValue == name }?["valueString"]?.stringValue
        }
        return AccessGrant(clientID: value("client"), scopes: ScopeSet(value("scope") ?? ""), patientID: value("patient"))
    }

    /// Whether `grant` may hear of `resource` (the current version, or the last one for a deletion).
    public static func permits(_ grant: AccessGrant, _ resource: JSONValue?, type: String, compartment: PatientCompartment) -> Bool {
        switch grant.decide(.read, on: type, inCompartment: compartment.includes(type)) {
        case .denied: return false
        case .allowed: return true
        case .withinCompartment(let patientID):
            guard let object = resource?.objectValue, let parsed = FHIRResource(json: object) else { return false }
            return compartment.contains(parsed, patientID: patientID)
        }
    }

    private static func part(_ name: String, _ value: String) -> JSONValue {
        .object(JSONObject([("url", .string(name)), ("valueString", .string(value))]))
    }
}
