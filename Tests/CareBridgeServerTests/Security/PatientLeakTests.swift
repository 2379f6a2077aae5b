import FHIRCore
import Foundation
import HTTPTypes
import Testing

/// A patient-context token never sees another patient's data, whichever way it asks: search, `_include`,
/// `_revinclude`, `$everything`, history, batch and transaction Bundles, chained and `_has` parameters.
@Suite("Patient-context tokens see only their own patient")
struct PatientLeakTests {
    /// Every patient the resources of a Bundle reply show or refer to, through nested Bundles (a batch's
    /// searchsets); the Bundles' links and the outcomes of failed entries repeat what was asked and are not data.
    static func patients(in reply: Reply) -> Set<String> {
        guard let json = try? reply.json else { return [] }
        var found: Set<String> = []
        collect(json, into: &found)
        return found
    }

    private static func collect(_ resource: JSONValue, into found: inout Set<String>) {
        guard resource["resourceType"]?.stringValue == "Bundle" else {
            if resource["resourceType"]?.stringValue == "Patient", let id = resource["id"]?.stringValue { found.insert(id) }
            var rest = Substring(String(decoding: JSONWriter.bytes(resource), as: UTF8.self))
            while let range = rest.range(of: "Patient/") {
                found.insert(String(rest[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }))
                rest = rest[range.upperBound...]
            }
            return
        }
        for entry in resource["entry"]?.arrayValue ?? [] {
            if let nested = entry["resource"] { collect(nested, into: &found) }
            if let url = entry["fullUrl"]?.stringValue, let range = url.range(of: "Patient/") { found.insert(String(url[range.upperBound...])) }
        }
    }

    /// Runs `check` with a token for the "own" patient of a seeded world.
    func withPatientToken(_ check: @Sendable (SecuredHub, PatientWorld, String) async throws -> Void) async throws {
        try await SecuredHub.run { hub in
            let world = try await PatientWorld.seed(hub, token: SecuredHub.token(role: "administrator"))
            try await check(hub, world, SecuredHub.token(role: "patient", patient: world.own))
        }
    }

    @Test("searches without criteria, with _include and _revinclude, return only the own patient's data")
    func searches() async throws {
        try await withPatientToken { hub, world, token in
            for uri in [
                "/fhir/Observation", "/fhir/Patient", "/fhir/Observation?_include=Observation:subject",
                "/fhir/Patient?_revinclude=Observation:subject", "/fhir/Patient?_revinclude=Task:subject",
                "/fhir/Observation?subject=Patient/\(world.other)", "/fhir/Appointment?_include=*",
                "/fhir/Observation?_include=Observation:subject&_include:iterate=Patient:link",
                "/fhir/Patient/\(world.own)/Observation",
            ] {
                let reply = try await hub.send(.get, uri, token: token)
                #expect(reply.status == 200, "\(uri): \(reply.status) \(reply.text)")
                #expect(!Self.patients(in: reply).contains(world.other), "\(uri) shows the other patient")
            }
            let own = try await hub.send(.get, "/fhir/Observation", token: token)
            #expect(try own.json["entry"]?.arrayValue?.count == 1)
        }
    }

    @Test("the other patient's compartment, $everything and history are refused or empty")
    func compartmentEverythingHistory() async throws {
        try await withPatientToken { hub, world, token in
            #expect(try await hub.send(.get, "/fhir/Patient/\(world.other)/Observation", token: token).status == 403)
            #expect(try await hub.send(.get, "/fhir/Patient/\(world.other)/$everything", token: token).status == 403)
            let everything = try await hub.send(.get, "/fhir/Patient/\(world.own)/$everything", token: token)
            #expect(everything.status == 200)
            #expect(!Self.patients(in: everything).contains(world.other))
            #expect(Self.patients(in: everything).contains(world.own))
            for uri in ["/fhir/_history", "/fhir/Observation/_history", "/fhir/Patient/_history"] {
                let reply = try await hub.send(.get, uri, token: token)
                #expect(reply.status == 200, "\(uri): \(reply.status)")
                #expect(!Self.patients(in: reply).contains(world.other), "\(uri) shows the other patient")
            }
            let otherHistory = try await hub.send(.get, "/fhir/Patient/\(world.other)/_history", token: token)
            #expect(otherHistory.status == 404)
            let observation = world.resource("Observation", of: world.other)
            #expect(try await hub.send(.get, "/fhir/Observation/\(observation)/_history/1", token: token).status == 404)
        }
    }

    @Test("chained and _has parameters cannot reach another patient's data")
    func chains() async throws {
        try await withPatientToken { hub, world, token in
            for uri in [
                "/fhir/Observation?subject:Patient.family=Other", "/fhir/Observation?subject.family=Other",
                "/fhir/Patient?_has:Observation:subject:code:text=Glucose",
                "/fhir/Practitioner?_has:Observation:performer:status=final",
            ] {
                let reply = try await hub.send(.get, uri, token: token)
                #expect(reply.status == 403 || reply.status == 200, "\(uri): \(reply.status)")
                #expect(!Self.patients(in: reply).contains(world.other), "\(uri) shows the other patient")
            }
        }
    }

    @Test("batch entries are checked one by one; a transaction touching another patient is refused whole")
    func bundles() async throws {
        try await withPatientToken { hub, world, token in
            let batch = """
                {"resourceType": "Bundle", "type": "batch", "entry": [
                  {"request": {"method": "GET", "url": "Patient/\(world.other)"}},
                  {"request": {"method": "GET", "url": "Observation?subject=Patient/\(world.other)"}},
                  {"request": {"method": "GET", "url": "Patient/\(world.own)"}},
                  {"request": {"method": "GET", "url": "Patient/\(world.own)/$everything"}},
                  {"request": {"method": "GET", "url": "Patient/\(world.other)/_history"}}
                ]}
                """
            let reply = try await hub.send(.post, "/fhir", token: token, body: batch)
            #expect(reply.status == 200)
            let statuses = try (reply.json["entry"]?.arrayValue ?? []).map { $0["response"]?["status"]?.stringValue ?? "" }
            #expect(statuses.map { $0.prefix(3) } == ["404", "200", "200", "200", "404"])
            #expect(!Self.patients(in: reply).contains(world.other))

            let message = PatientWorld.resource("Communication", of: world.other)
            let transaction = """
                {"resourceType": "Bundle", "type": "transaction", "entry": [
                  {"request": {"method": "POST", "url": "Communication"}, "resource": \(PatientWorld.resource("Communication", of: world.own))},
                  {"request": {"method": "POST", "url": "Communication"}, "resource": \(message)}
                ]}
                """
            let before = try await hub.hub.count("resource", type: "Communication")
            let refused = try await hub.send(.post, "/fhir", token: token, body: transaction)
            #expect(refused.status == 403)
            #expect(try await hub.hub.count("resource", type: "Communication") == before)
        }
    }

    @Test("writes cannot point at another patient")
    func writes() async throws {
        try await withPatientToken { hub, world, token in
            let own = PatientWorld.resource("Communication", of: world.own)
            #expect(try await hub.send(.post, "/fhir/Communication", token: token, body: own).status == 201)
            let sneaky = """
                {"resourceType": "Communication", "status": "completed", "subject": {"reference": "Patient/\(world.own)"},
                 "recipient": [{"reference": "Patient/\(world.other)"}]}
                """
            #expect(try await hub.send(.post, "/fhir/Communication", token: token, body: sneaky).status == 403)
            let conditional = try await hub.hub.send(
                .post, "/fhir/Communication", body: own,
                headers: ["Authorization": "Bearer \(token)", "If-None-Exist": "subject=Patient/\(world.other)"])
            #expect(conditional.status == 403)
        }
    }

    @Test("types outside the compartment are reached only through a scope that names them")
    func outsideTheCompartment() async throws {
        try await SecuredHub.run { hub in
            let admin = SecuredHub.token(role: "administrator")
            let world = try await PatientWorld.seed(hub, token: admin)
            let doctor = try await PatientWorld.make(
                "Practitioner", body: #"{"resourceType": "Practitioner", "name": [{"family": "Who"}]}"#, hub: hub, token: admin)
            let wildcard = SecuredHub.token(role: nil, scope: "patient/*.rs", patient: world.own)
            #expect(try await hub.send(.get, "/fhir/Practitioner/\(doctor)", token: wildcard).status == 403)
            #expect(try await hub.send(.get, "/fhir/Subscription", token: wildcard).status == 403)
            let named = SecuredHub.token(role: nil, scope: "patient/*.rs patient/Practitioner.rs", patient: world.own)
            #expect(try await hub.send(.get, "/fhir/Practitioner/\(doctor)", token: named).status == 200)
            let write = #"{"resourceType": "Practitioner", "name": [{"family": "Me"}]}"#
            let writer = SecuredHub.token(role: nil, scope: "patient/Practitioner.cruds", patient: world.own)
            #expect(try await hub.send(.post, "/fhir/Practitioner", token: writer, body: write).status == 403)
        }
    }
}
