import FHIRCore
import Foundation
import Testing

/// `Patient/[id]/$everything` (https://hl7.org/fhir/R4/patient-operation-everything.html) over the R4 Patient
/// compartment; expected entries worked out by hand.
@Suite("Patient $everything")
struct EverythingTests {
    /// e1 with organization org1; its Encounter enc1 (2024) and Observations ob1 (2020, performer pr1) and ob2
    /// (2024); e2 with Observation ob3; an unrelated Location loc1.
    static func load(_ hub: Hub) async throws {
        try await hub.store("/fhir/Organization/org1", #"{"resourceType":"Organization","id":"org1","name":"Clinic"}"#)
        try await hub.store("/fhir/Practitioner/pr1", #"{"resourceType":"Practitioner","id":"pr1"}"#)
        try await hub.store("/fhir/Location/loc1", #"{"resourceType":"Location","id":"loc1"}"#)
        try await hub.store("/fhir/Patient/e1", #"{"resourceType":"Patient","id":"e1","managingOrganization":{"reference":"Organization/org1"}}"#)
        try await hub.store("/fhir/Patient/e2", #"{"resourceType":"Patient","id":"e2"}"#)
        try await hub.store("/fhir/Encounter/enc1", #"{"resourceType":"Encounter","id":"enc1","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/e1"},"period":{"start":"2024-03-01"}}"#)
        let observation = #""status":"final","code":{"text":"x"}"#
        try await hub.store("/fhir/Observation/ob1", #"{"resourceType":"Observation","id":"ob1",\#(observation),"subject":{"reference":"Patient/e1"},"performer":[{"reference":"Practitioner/pr1"}],"effectiveDateTime":"2020-05-01"}"#)
        try await hub.store("/fhir/Observation/ob2", #"{"resourceType":"Observation","id":"ob2",\#(observation),"subject":{"reference":"Patient/e1"},"effectiveDateTime":"2024-05-01"}"#)
        try await hub.store("/fhir/Observation/ob3", #"{"resourceType":"Observation","id":"ob3",\#(observation),"subject":{"reference":"Patient/e2"}}"#)
    }

    /// The entries of `query` as `id:mode`, in order.
    static func entries(_ hub: Hub, _ query: String) async throws -> [String] {
        let reply = try await hub.get("/fhir/Patient/" + query)
        #expect(reply.status == 200, "\(query): \(reply.text)")
        return try reply.json.entries.map { "\($0.string("resource.id") ?? "?"):\($0.string("search.mode") ?? "?")" }
    }

    @Test("the patient first, its compartment, then what it refers to outside the compartment")
    func everything() async throws {
        try await Hub.run { hub in
            try await Self.load(hub)
            #expect(try await Self.entries(hub, "e1/$everything") == [
                "e1:match", "enc1:match", "ob1:match", "ob2:match", "org1:include", "pr1:include",
            ])
            #expect(try await Self.entries(hub, "e2/$everything") == ["e2:match", "ob3:match"])
            #expect(try await Self.entries(hub, "e1/$everything?_type=Observation") == ["ob1:match", "ob2:match", "pr1:include"])
            #expect(try await Self.entries(hub, "e1/$everything?start=2023") == ["e1:match", "enc1:match", "ob2:match", "org1:include"])
            #expect(try await Self.entries(hub, "e1/$everything?end=2020-12") == ["e1:match", "ob1:match", "org1:include", "pr1:include"])
            #expect(try await Self.entries(hub, "e1/$everything?_since=2999-01-01T00:00:00Z") == [])
        }
    }

    @Test("paging with _count and next links; errors for unknown patients, parameters and type-level calls")
    func pagingAndErrors() async throws {
        try await Hub.run { hub in
            try await Self.load(hub)
            let first = try await hub.get("/fhir/Patient/e1/$everything?_count=2").json
            #expect(first.entries.compactMap { $0.string("resource.id") } == ["e1", "enc1", "org1"])
            let next = try #require(Sample.path(of: first.link("next")))
            let second = try await hub.get(next).json
            #expect(second.entries.compactMap { $0.string("resource.id") } == ["ob1", "ob2", "pr1"])
            #expect(second.link("previous") != nil)

            try await hub.get("/fhir/Patient/nobody/$everything").expectError(404)
            try await hub.get("/fhir/Patient/e1/$everything?foo=1").expectError(400)
            try await hub.get("/fhir/Patient/e1/$everything?_type=Location").expectError(400)
            try await hub.get("/fhir/Patient/$everything").expectError(400, code: "not-supported")
            try await hub.get("/fhir/Encounter/enc1/$everything").expectError(400, code: "not-supported")
            try await hub.get("/fhir/Patient/e1/$lookup").expectError(400, code: "not-supported")
        }
    }
}
