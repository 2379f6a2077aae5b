import FHIRCore
import Foundation
import HTTPTypes
import Testing

/// Two patients, each with one resource of every type under test, written by an administrator.
struct PatientWorld: Sendable {
    let own: String
    let other: String
    /// `type` -> patient id -> resource id (for Patient, the patient itself).
    let resources: [String: [String: String]]

    /// The search parameter that finds a type's resources by patient.
    static let patientParameter = [
        "Observation": "subject", "Appointment": "actor", "Communication": "subject", "Task": "subject",
        "MedicationRequest": "subject", "DiagnosticReport": "subject", "Encounter": "subject",
    ]

    func resource(_ type: String, of patient: String) -> String {
        type == "Patient" ? patient : resources[type]?[patient] ?? "missing"
    }

    /// A valid resource of `type` belonging to `patient`.
    static func resource(_ type: String, of patient: String) -> String {
        let reference = "{\"reference\": \"Patient/\(patient)\"}"
        switch type {
        case "Patient":
            return #"{"resourceType": "Patient", "name": [{"family": "Newcomer"}]}"#
        case "Observation":
            return #"{"resourceType": "Observation", "status": "final", "code": {"text": "Glucose"}, "subject": \#(reference)}"#
        case "Appointment":
            return #"{"resourceType": "Appointment", "status": "booked", "participant": [{"actor": \#(reference), "status": "accepted"}]}"#
        case "Communication":
            return #"{"resourceType": "Communication", "status": "completed", "subject": \#(reference), "payload": [{"contentString": "Hello"}]}"#
        case "Task":
            return #"{"resourceType": "Task", "status": "requested", "intent": "order", "for": \#(reference)}"#
        case "MedicationRequest":
            return #"{"resourceType": "MedicationRequest", "status": "active", "intent": "order", "medicationCodeableConcept": {"text": "Aspirin"}, "subject": \#(reference)}"#
        case "DiagnosticReport":
            return #"{"resourceType": "DiagnosticReport", "status": "final", "code": {"text": "Panel"}, "subject": \#(reference)}"#
        default:
            return #"{"resourceType": "\#(type)"}"#
        }
    }

    /// Creates a resource of `type` for `patient` with `token`; returns its id.
    func make(_ type: String, of patient: String, hub: SecuredHub, token: String) async throws -> String {
        try await Self.make(type, body: Self.resource(type, of: patient), hub: hub, token: token)
    }

    static func make(_ type: String, body: String, hub: SecuredHub, token: String) async throws -> String {
        let reply = try await hub.send(.post, "/fhir/\(type)", token: token, body: body)
        #expect(reply.status == 201, "creating a \(type) answered \(reply.status): \(reply.text)")
        return try #require(reply.json["id"]?.stringValue)
    }

    /// Patients "Own" and "Other" and one resource of each type for each.
    static func seed(_ hub: SecuredHub, token: String) async throws -> PatientWorld {
        let own = try await make("Patient", body: #"{"resourceType": "Patient", "name": [{"family": "Own"}]}"#, hub: hub, token: token)
        let other = try await make("Patient", body: #"{"resourceType": "Patient", "name": [{"family": "Other"}]}"#, hub: hub, token: token)
        var resources: [String: [String: String]] = [:]
        for type in ["Observation", "Appointment", "Communication", "Task", "MedicationRequest", "DiagnosticReport"] {
            for patient in [own, other] {
                resources[type, default: [:]][patient] = try await make(type, body: resource(type, of: patient), hub: hub, token: token)
            }
        }
        return PatientWorld(own: own, other: other, resources: resources)
    }
}
