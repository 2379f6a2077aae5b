import CareBridgeServer
import FHIRCore
import Foundation
import HTTPTypes
import Testing

/// Each role x each interaction x own/other patient, against the real server with real tokens. The
/// expectations are stated here from the customer's role descriptions, not computed by the hub's code.
@Suite("Access matrix: roles x interactions x own/other patient")
struct AccessMatrixTests {
    /// The permissions (SMART v2 letters) each role has per type; `*` is any other type.
    static let permissions: [String: [String: String]] = [
        "administrator": ["*": "cruds"],
        "support": ["Patient": "crus", "Communication": "cruds", "Task": "cruds", "Appointment": "cruds"],
        "medical-support": ["Patient": "rs", "Observation": "cruds", "MedicationRequest": "cruds"],
        "patient": ["*": "rs", "Communication": "crs"],
        "lab-system": ["Observation": "cruds", "Patient": "rs"],
    ]
    static let types = ["Patient", "Observation", "Appointment", "Communication", "Task", "MedicationRequest"]

    enum Interaction: String, CaseIterable {
        case read, search, create, update, delete, history

        var letter: Character {
            switch self {
            case .read, .history: "r"
            case .search: "s"
            case .create: "c"
            case .update: "u"
            case .delete: "d"
            }
        }
    }

    /// What the hub must answer: a status, and for searches whether the patient's seeded resource is found.
    struct Expectation: Equatable, CustomStringConvertible {
        var status: Int
        var found: Bool?
        var description: String { found.map { "\(status), \($0 ? "found" : "not found")" } ?? "\(status)" }
    }

    static func expected(_ role: String, _ type: String, _ interaction: Interaction, own: Bool) -> Expectation {
        let letters = permissions[role]?[type] ?? permissions[role]?["*"] ?? ""
        guard letters.contains(interaction.letter) else { return Expectation(status: 403) }
        let confinedElsewhere = role == "patient" && !own
        switch interaction {
        case .read, .history: return Expectation(status: confinedElsewhere ? 404 : 200)
        case .search: return Expectation(status: 200, found: !confinedElsewhere)
        case .create: return Expectation(status: confinedElsewhere ? 403 : 201)
        case .update: return Expectation(status: confinedElsewhere ? 404 : 200)
        case .delete: return Expectation(status: confinedElsewhere ? 404 : 204)
        }
    }

    @Test("every role x type x interaction x own/other patient gets the expected answer")
    func matrix() async throws {
        try await SecuredHub.run { hub in
            let admin = SecuredHub.token(role: "administrator")
            let world = try await PatientWorld.seed(hub, token: admin)
            var failures: [String] = []
            var checked = 0
            for role in Self.permissions.keys.sorted() {
                let token = SecuredHub.token(role: role, patient: role == "patient" ? world.own : nil)
                for type in Self.types {
                    for own in [true, false] {
                        let patient = own ? world.own : world.other
                        for interaction in Interaction.allCases {
                            let expectation = Self.expected(role, type, interaction, own: own)
                            let got = try await Self.perform(interaction, type, for: patient, in: world, hub: hub, token: token, admin: admin)
                            checked += 1
                            if got != expectation {
                                failures.append("\(role) \(interaction) \(type) (\(own ? "own" : "other") patient): got \(got), expected \(expectation)")
                            }
                        }
                    }
                }
            }
            #expect(checked == Self.permissions.count * Self.types.count * 2 * Interaction.allCases.count)
            #expect(failures.isEmpty, "\(failures.count) cases differ:\n\(failures.joined(separator: "\n"))")
        }
    }

    static func perform(
        _ interaction: Interaction, _ type: String, for patient: String, in world: PatientWorld, hub: SecuredHub, token: String,
        admin: String
    ) async throws -> Expectation {
        let id = world.resource(type, of: patient)
        switch interaction {
        case .read:
            return Expectation(status: try await hub.send(.get, "/fhir/\(type)/\(id)", token: token).status)
        case .history:
            return Expectation(status: try await hub.send(.get, "/fhir/\(type)/\(id)/_history", token: token).status)
        case .search:
            let query = type == "Patient" ? "_id=\(patient)" : "\(PatientWorld.patientParameter[type] ?? "subject")=Patient/\(patient)"
            let reply = try await hub.send(.get, "/fhir/\(type)?\(query)", token: token)
            guard reply.status == 200 else { return Expectation(status: reply.status) }
            let ids = try (reply.json["entry"]?.arrayValue ?? []).compactMap { $0["resource"]?["id"]?.stringValue }
            let others = ids.filter { $0 != id }
            // Whatever else matches must be the patient's too (resources the matrix created meanwhile).
            for other in others {
                let owner = try await hub.send(.get, "/fhir/\(type)/\(other)", token: admin)
                if !owner.text.contains(patient) { return Expectation(status: 200, found: nil) }
            }
            return Expectation(status: 200, found: ids.contains(id))
        case .create:
            let body = PatientWorld.resource(type, of: patient)
            return Expectation(status: try await hub.send(.post, "/fhir/\(type)", token: token, body: body).status)
        case .update:
            let current = try await hub.send(.get, "/fhir/\(type)/\(id)", token: admin)
            guard case .object(var object) = try current.json else { return Expectation(status: current.status) }
            object["meta"] = nil
            let body = String(decoding: JSONWriter.bytes(.object(object)), as: UTF8.self)
            return Expectation(status: try await hub.send(.put, "/fhir/\(type)/\(id)", token: token, body: body).status)
        case .delete:
            // A fresh resource of the patient, so that the shared ones stay for the other cases.
            let fresh = try await world.make(type, of: patient, hub: hub, token: admin)
            return Expectation(status: try await hub.send(.delete, "/fhir/\(type)/\(fresh)", token: token).status)
        }
    }

    @Test("AuditEvents cannot be written through the API, not even by an administrator")
    func auditEventsAreReadOnly() async throws {
        try await SecuredHub.run { hub in
            let admin = SecuredHub.token(role: "administrator")
            let event = #"{"resourceType": "AuditEvent", "type": {"code": "rest"}, "recorded": "2026-01-01T00:00:00Z", "agent": [{"requestor": true}], "source": {"observer": {"display": "x"}}}"#
            let created = try await hub.send(.post, "/fhir/AuditEvent", token: admin, body: event)
            let updated = try await hub.send(.put, "/fhir/AuditEvent/forged", token: admin, body: event)
            let deleted = try await hub.send(.delete, "/fhir/AuditEvent/forged", token: admin)
            #expect(created.status == 405 && updated.status == 405 && deleted.status == 405)
            #expect(try await hub.send(.get, "/fhir/AuditEvent", token: admin).status == 200)
        }
    }

    @Test("failed bearer attempts are throttled by address like any other traffic")
    func guessingIsThrottled() async throws {
        // A bucket of 3 that takes 100 s to regain a request: the answers do not depend on how fast the test runs.
        try await SecuredHub.run(configure: { $0.rateLimit = RateLimit(requestsPerSecond: 0.01, burst: 3) }) { hub in
            let forged = SecuredHub.sign(["iss": SecuredHub.issuer, "aud": Hub.base, "exp": Int(Date().timeIntervalSince1970) + 60], secret: String(repeating: "x", count: 40))
            var replies: [Reply] = []
            for _ in 0..<5 { replies.append(try await hub.send(.get, "/fhir/Patient", token: forged)) }
            #expect(replies.map(\.status) == [401, 401, 401, 429, 429])
            #expect(Int(replies[4].header("Retry-After") ?? "") ?? 0 >= 1)
        }
    }

    @Test("ingest, the inbound log and webhook administration need the hub's own scopes")
    func hubScopes() async throws {
        try await SecuredHub.run { hub in
            let message = "MSH|^~\\&|LAB|NW|HUB|CB|20260101120000||ADT^A08|M1|P|2.5\rPID|1||P1^^^NW^MR||Doe^Jane\r"
            var answers: [String: Int] = [:]
            for role in ["support", "lab-system", "administrator"] {
                let token = SecuredHub.token(role: role)
                let ingest = try await hub.hub.send(
                    .post, "/fhir/$ingest", body: message,
                    headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/hl7-v2"])
                answers["\(role) ingest"] = ingest.status
                answers["\(role) inbound"] = try await hub.send(.get, "/inbound/messages", token: token).status
                answers["\(role) webhooks"] = try await hub.send(.get, "/webhooks/subscriptions", token: token).status
                answers["\(role) reload"] = try await hub.send(.post, "/fhir/$reload-mappings", token: token).status
            }
            #expect(answers == [
                "support ingest": 403, "support inbound": 403, "support webhooks": 403, "support reload": 403,
                "lab-system ingest": 200, "lab-system inbound": 403, "lab-system webhooks": 403, "lab-system reload": 403,
                "administrator ingest": 200, "administrator inbound": 200, "administrator webhooks": 200, "administrator reload": 200,
            ])
        }
    }
}
