import FHIRCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Every refusal is an OperationOutcome with the right status, and leaves the server answering and the
/// database untouched.
@Suite("Errors")
struct ErrorTests {
    @Test("unreadable or mismatched bodies are 400")
    func badRequests() async throws {
        try await Hub.run { hub in
            try await hub.post("/fhir/Patient", #"{"resourceType":"Patient","name":[{"family":"X"}"#).expectError(400, code: "structure")
            try await hub.post("/fhir/Patient", "not json at all").expectError(400)
            try await hub.post("/fhir/Patient", "[]").expectError(400)
            try await hub.post("/fhir/Patient", #"{"name":[{"family":"X"}]}"#).expectError(400)
            try await hub.send(.post, "/fhir/Patient").expectError(400)

            let observation = #"{"resourceType":"Observation","status":"final","code":{"text":"x"}}"#
            let wrongType = try await hub.post("/fhir/Patient", observation)
            try wrongType.expectError(400)
            try await hub.put("/fhir/Patient/a", #"{"resourceType":"Observation","id":"a","status":"final","code":{"text":"x"}}"#)
                .expectError(400)

            try await hub.put("/fhir/Patient/a", Sample.patient(id: "b")).expectError(400)
            try await hub.put("/fhir/Patient/a", Sample.patient()).expectError(400)
            try await hub.put("/fhir/Patient/a", Sample.patient(id: "a"), headers: ["If-Match": "version-one"]).expectError(400)

            #expect(try await hub.footprint() == [0, 0, 0])
            try await Self.expectServing(hub)
        }
    }

    @Test("unknown or unserved resource types are 404")
    func unknownTypes() async throws {
        try await Hub.run { hub in
            try await hub.get("/fhir/Spaceship").expectError(404)
            try await hub.get("/fhir/Spaceship/1").expectError(404)
            try await hub.post("/fhir/Spaceship", #"{"resourceType":"Spaceship"}"#).expectError(404)
            try await hub.get("/fhir/Medication/1").expectError(404)
            try await hub.get("/fhir/Patient/1/_history/1/extra").expectError(404)
            #expect(try await hub.footprint() == [0, 0, 0])
            try await Self.expectServing(hub)
        }
    }

    @Test("unknown elements and codes outside a required binding are 422 with issue.expression")
    func unprocessable() async throws {
        try await Hub.run { hub in
            let unknown = try await hub.post("/fhir/Patient", #"{"resourceType":"Patient","nickname":"Pete"}"#)
            try unknown.expectError(422)
            #expect(try Self.expressions(unknown).contains("Patient.nickname"), "\(unknown.text)")

            let appointment = #"""
                {"resourceType":"Appointment","status":"later","participant":[{"actor":{"display":"Dr Adams"},"status":"accepted"}]}
                """#
            let badCode = try await hub.post("/fhir/Appointment", appointment)
            try badCode.expectError(422)
            #expect(try Self.expressions(badCode).contains("Appointment.status"), "\(badCode.text)")

            let wrongKind = try await hub.post("/fhir/Patient", #"{"resourceType":"Patient","active":"yes"}"#)
            try wrongKind.expectError(422)
            #expect(try Self.expressions(wrongKind).contains("Patient.active"), "\(wrongKind.text)")

            let badDate = try await hub.post("/fhir/Patient", #"{"resourceType":"Patient","birthDate":"1974-13-45"}"#)
            #expect([400, 422].contains(badDate.status))
            try badDate.expectError(badDate.status)

            let id = try await hub.create(Sample.patient())
            try await hub.put("/fhir/Patient/\(id)", #"{"resourceType":"Patient","id":"\#(id)","gender":"robot"}"#).expectError(422)
            #expect(try await hub.storedVersions("Patient", id) == [1])
            #expect(try await hub.footprint().prefix(2) == [1, 1])
            try await Self.expectServing(hub)
        }
    }

    @Test("methods a path does not take are 405")
    func methodNotAllowed() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient())
            try await hub.post("/fhir/Patient/\(id)", Sample.patient(id: id)).expectError(405)
            try await hub.delete("/fhir/metadata").expectError(405)
            try await hub.post("/fhir/metadata", Sample.patient()).expectError(405)
            try await hub.put("/fhir/Patient/\(id)/_history/1", Sample.patient(id: id)).expectError(405)
            try await hub.delete("/fhir/Patient/\(id)/_history/1").expectError(405)
            try await hub.delete("/fhir/Patient/_history").expectError(405)
            try await hub.post("/fhir/_history", "{}").expectError(405)
            try await hub.get("/fhir").expectError(405)
            try await hub.send(.options, "/fhir/Patient").expectError(405)
            #expect(try await hub.storedVersions("Patient", id) == [1])
            try await Self.expectServing(hub)
        }
    }

    @Test("a body over the configured limit is 413 and nothing is stored")
    func tooLarge() async throws {
        try await Hub.run(maximumBodySize: 2048) { hub in
            let big = #"{"resourceType":"Patient","name":[{"family":"\#(String(repeating: "x", count: 4000))"}]}"#
            try await hub.post("/fhir/Patient", big).expectError(413)
            try await hub.put("/fhir/Patient/big", big.replacingOccurrences(of: "\"Patient\",", with: "\"Patient\",\"id\":\"big\","))
                .expectError(413)
            let bundle = Sample.bundle("transaction", [
                #"{"request":{"method":"POST","url":"Patient"},"resource":\#(big)}"#,
            ])
            try await hub.post("/fhir", bundle).expectError(413)
            #expect(try await hub.footprint() == [0, 0, 0])
            try await Self.expectServing(hub)
        }
    }

    @Test("over a real HTTP connection too, errors are OperationOutcomes and the connection keeps serving")
    func live() async throws {
        try await Hub.run(maximumBodySize: 2048, setup: .live) { hub in
            try await hub.post("/fhir/Patient", "{").expectError(400)
            try await hub.post("/fhir/Patient", String(repeating: " ", count: 5000) + Sample.patient()).expectError(413)
            try await hub.delete("/fhir/metadata").expectError(405)
            let created = try await hub.post("/fhir/Patient", Sample.patient())
            #expect(created.status == 201)
            #expect(created.header("Location")?.hasSuffix("/_history/1") == true)
            #expect(try await hub.count("resource") == 1)
        }
    }

    /// The `expression`s of all error issues.
    static func expressions(_ reply: Reply) throws -> [String] {
        try reply.outcomeIssues().flatMap { $0["expression"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    }

    /// The server still answers reads and writes.
    static func expectServing(_ hub: Hub, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        #expect(try await hub.get("/fhir/metadata").status == 200, sourceLocation: sourceLocation)
        let created = try await hub.post("/fhir/Patient", Sample.patient(family: "Afterwards"))
        #expect(created.status == 201, sourceLocation: sourceLocation)
        let id = try #require(try created.json["id"]?.stringValue, sourceLocation: sourceLocation)
        #expect(try await hub.get("/fhir/Patient/\(id)").status == 200, sourceLocation: sourceLocation)
    }
}
