import FHIRCore
import Foundation
import HTTPTypes
import Testing

/// JSON Patch (`PATCH` with `application/json-patch+json`) and `$validate`.
@Suite("JSON Patch and $validate")
struct PatchAndValidateTests {
    static let patchType = ["Content-Type": "application/json-patch+json"]

    @Test("add, replace and remove make one new version each")
    func patch() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient())
            let path = "/fhir/Patient/\(id)"
            let added = try await hub.send(.patch, path, body: #"[{"op":"add","path":"/gender","value":"male"}]"#, headers: Self.patchType)
            #expect(added.status == 200)
            #expect(added.header("ETag") == #"W/"2""#)
            #expect(try added.json["gender"]?.stringValue == "male")
            #expect(try added.json.string("meta.versionId") == "2")

            let replaced = try await hub.send(
                .patch, path, body: #"[{"op":"replace","path":"/name/0/family","value":"Windsor"}]"#, headers: Self.patchType
            )
            #expect(replaced.status == 200)
            #expect(try replaced.json.string("name.0.family") == "Windsor")

            let removed = try await hub.send(.patch, path, body: #"[{"op":"remove","path":"/birthDate"}]"#, headers: Self.patchType)
            #expect(removed.status == 200)
            let current = try await hub.get(path).json
            #expect(current["birthDate"] == nil)
            #expect(current["gender"]?.stringValue == "male")
            #expect(current.string("meta.versionId") == "4")

            // With If-Match: the current version patches, an old one is 412.
            let pinned = try await hub.send(
                .patch, path, body: #"[{"op":"add","path":"/active","value":true}]"#,
                headers: Self.patchType.merging(["If-Match": #"W/"4""#]) { $1 }
            )
            #expect(pinned.status == 200)
            try await hub.send(
                .patch, path, body: #"[{"op":"add","path":"/active","value":false}]"#,
                headers: Self.patchType.merging(["If-Match": #"W/"4""#]) { $1 }
            ).expectError(412)
            #expect(try await hub.storedVersions("Patient", id) == [1, 2, 3, 4, 5])
        }
    }

    @Test("failed tests, id changes, invalid results and bad documents are refused and write nothing")
    func refused() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient())
            let path = "/fhir/Patient/\(id)"
            let failedTest = #"[{"op":"test","path":"/birthDate","value":"2000-01-01"},{"op":"add","path":"/gender","value":"male"}]"#
            let reply = try await hub.send(.patch, path, body: failedTest, headers: Self.patchType)
            #expect([400, 422].contains(reply.status))
            try reply.expectError(reply.status)

            let changeID = try await hub.send(.patch, path, body: #"[{"op":"replace","path":"/id","value":"other"}]"#, headers: Self.patchType)
            #expect([400, 422].contains(changeID.status))
            try changeID.expectError(changeID.status)
            try await hub.get("/fhir/Patient/other").expectError(404)

            let changeType = try await hub.send(
                .patch, path, body: #"[{"op":"replace","path":"/resourceType","value":"Practitioner"}]"#, headers: Self.patchType
            )
            #expect([400, 422].contains(changeType.status))

            let invalid = try await hub.send(.patch, path, body: #"[{"op":"add","path":"/gender","value":"robot"}]"#, headers: Self.patchType)
            try invalid.expectError(422)

            try await hub.send(.patch, path, body: #"{"op":"add"}"#, headers: Self.patchType).expectError(400)
            try await hub.send(.patch, path, body: #"[{"op":"jump","path":"/a"}]"#, headers: Self.patchType).expectError(400)
            try await hub.send(.patch, path, body: "[{", headers: Self.patchType).expectError(400)
            let missing = try await hub.send(.patch, path, body: #"[{"op":"remove","path":"/nothing"}]"#, headers: Self.patchType)
            #expect([400, 422].contains(missing.status), "removing a missing member must fail")
            // A resource body is not a patch.
            try await hub.send(.patch, path, body: Sample.patient(id: id), headers: ["Content-Type": "application/fhir+json"])
                .expectError(415)
            try await hub.send(.patch, "/fhir/Patient/missing", body: "[]", headers: Self.patchType).expectError(404)

            #expect(try await hub.storedVersions("Patient", id) == [1])
            #expect(try await hub.get(path).json["gender"] == nil)
        }
    }

    @Test("conditional patch patches the one match")
    func conditionalPatch() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient(identifier: "P1"))
            let reply = try await hub.send(
                .patch, "/fhir/Patient?identifier=urn:test:mrn|P1", body: #"[{"op":"add","path":"/gender","value":"female"}]"#,
                headers: Self.patchType
            )
            #expect(reply.status == 200)
            #expect(try reply.json["id"]?.stringValue == id)
            try await hub.send(.patch, "/fhir/Patient?identifier=none", body: "[]", headers: Self.patchType).expectError(404)
        }
    }

    @Test("$validate reports issues and stores nothing")
    func validate() async throws {
        try await Hub.run { hub in
            let good = try await hub.post("/fhir/Patient/$validate", Sample.patient())
            #expect(good.status == 200)
            let goodIssues = try good.outcomeIssues()
            #expect(!goodIssues.contains { $0["severity"]?.stringValue == "error" })

            let bad = #"{"resourceType":"Patient","gender":"robot","nickname":"Pete"}"#
            let reply = try await hub.post("/fhir/Patient/$validate", bad)
            #expect([200, 422].contains(reply.status))
            let issues = try reply.outcomeIssues().filter { $0["severity"]?.stringValue == "error" }
            let expressions = issues.flatMap { $0["expression"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
            #expect(expressions.contains { $0.contains("gender") }, "\(reply.text)")
            #expect(expressions.contains { $0.contains("nickname") }, "\(reply.text)")

            let wrapped = #"{"resourceType":"Parameters","parameter":[{"name":"resource","resource":\#(Sample.patient())}]}"#
            #expect(try await hub.post("/fhir/Patient/$validate", wrapped).status == 200)
            try await hub.post("/fhir/Observation/$validate", Sample.patient()).expectError(400)
            try await hub.get("/fhir/Patient/$validate").expectError(405)

            #expect(try await hub.footprint() == [0, 0, 0])
        }
    }
}
