import FHIRCore
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import Testing

/// Error answers tell the client what it did wrong, or that the server failed, and nothing else: no SQL, no
/// table names, no driver errors, no Swift type names, file paths or stack traces.
@Suite("Error hygiene")
struct ErrorHygieneTests {
    /// Text that only the database, the driver or the program would write.
    static let markers = [
        "PSQLError", "PostgresNIO", "SQLSTATE", "syntax error", "SELECT ", "INSERT INTO", "UPDATE resource", "DELETE FROM",
        " WHERE ", "search_string", "search_token", "search_reference", "search_date", "search_uri", "resource_history",
        "resource_elsewhere", "relation \"", "Swift.", ".swift", "Sources/", "/work/", "StoreError", "FHIRCoreError",
        "FHIRError", "DecodingError", "Fatal error", "Optional(", "0x0",
    ]

    static func expectClean(_ reply: Reply, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = reply.text
        let found = markers.filter { text.contains($0) }
        #expect(found.isEmpty, "\(what) (\(reply.status)) leaks \(found): \(text.prefix(400))", sourceLocation: sourceLocation)
        #expect(reply.status < 500 || (try? reply.json["resourceType"]?.stringValue) == "OperationOutcome",
                "\(what): \(reply.status) is not an OperationOutcome", sourceLocation: sourceLocation)
    }

    @Test("database failures answer 500 with a plain OperationOutcome, and the hub recovers")
    func databaseFailures() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient())
            try await hub.database.query("ALTER TABLE search_string RENAME TO search_string_elsewhere")
            let search = try await hub.get("/fhir/Patient?family=Chalmers")
            try search.expectError(500)
            Self.expectClean(search, "search on a missing index table")
            let write = try await hub.post("/fhir/Patient", Sample.patient())
            #expect(write.status >= 500)
            Self.expectClean(write, "create with a missing index table")
            try await hub.database.query("ALTER TABLE search_string_elsewhere RENAME TO search_string")

            try await hub.database.query("ALTER TABLE resource RENAME TO resource_elsewhere")
            for reply in [
                try await hub.get("/fhir/Patient/\(id)"),
                try await hub.get("/fhir/Patient"),
                try await hub.get("/fhir/Patient/\(id)/$everything"),
                try await hub.put("/fhir/Patient/\(id)", Sample.patient(id: id)),
                try await hub.delete("/fhir/Patient/\(id)"),
                try await hub.post("/fhir", Sample.bundle("transaction", [
                    #"{"request":{"method":"POST","url":"Patient"},"resource":\#(Sample.patient())}"#,
                ])),
            ] {
                #expect(reply.status >= 500 || reply.status == 200, "\(reply.status): \(reply.text.prefix(200))")
                Self.expectClean(reply, "request without the resource table")
            }
            try await hub.database.query("ALTER TABLE resource_elsewhere RENAME TO resource")
            // Searches recover at once. (A prepared statement whose preparation failed stays failed on its
            // pooled connection: PostgresNIO keeps the error, so reads are not checked here.)
            let recovered = try await hub.get("/fhir/Patient?family=Chalmers")
            #expect(recovered.status == 200, "\(recovered.text)")
        }
    }

    @Test("malformed and hostile bodies answer 4xx with a plain OperationOutcome")
    func malformedBodies() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient())
            let bodies = [
                "{", "{\"resourceType\":", "[]", "null", "\"Patient\"", "{\"resourceType\":\"Patient\",}",
                "{\"resourceType\":\"Patient\",\"birthDate\":12}", "{\"resourceType\":\"Patient\",\"birthDate\":\"1974-13-45\"}",
                "{\"resourceType\":\"NoSuchType\"}", "{\"resourceType\":\"Observation\",\"status\":\"final\"}",
                "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"\\uD800\"}]}",
                "{\"resourceType\":\"Patient\",\"active\":\"yes\"}", "{\"resourceType\":\"Patient\",\"id\":\"a b\"}",
                "{\"resourceType\":\"Patient\",\"multipleBirthInteger\":1e400}",
                "{\"resourceType\":\"Patient\",\"extension\":" + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "}",
                "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"a\u{0}b\"}]}",
            ]
            for body in bodies {
                for reply in [try await hub.post("/fhir/Patient", body), try await hub.put("/fhir/Patient/\(id)", body)] {
                    #expect((400..<500).contains(reply.status), "\(body.prefix(60)): \(reply.status) \(reply.text.prefix(200))")
                    Self.expectClean(reply, "body \(body.prefix(60))")
                }
            }
            let invalidUTF8 = try await hub.client.executeRequest(
                uri: "/fhir/Patient", method: .post, headers: [.contentType: "application/fhir+json"],
                body: ByteBuffer(bytes: Array(#"{"resourceType":"Patient","name":[{"family":""#.utf8) + [0xC0, 0xAE, 0xFF] + Array(#""}]}"#.utf8))
            )
            let reply = Reply(status: Int(invalidUTF8.status.code), headers: invalidUTF8.headers, body: invalidUTF8.body)
            #expect((400..<500).contains(reply.status), "invalid UTF-8: \(reply.status)")
            Self.expectClean(reply, "invalid UTF-8")
            for patch in ["[", "[{\"op\":\"drop\",\"path\":\"/x\"}]", "[{\"op\":\"replace\",\"path\":\"/id/../../\",\"value\":1}]"] {
                let patched = try await hub.send(.patch, "/fhir/Patient/\(id)", body: patch, headers: ["Content-Type": "application/json-patch+json"])
                #expect((400..<500).contains(patched.status), "patch \(patch): \(patched.status)")
                Self.expectClean(patched, "patch \(patch)")
            }
        }
    }

    @Test("bad parameters, headers and paths answer 4xx with a plain OperationOutcome")
    func badRequests() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient())
            let replies = [
                try await hub.get("/fhir/Patient?birthdate=not-a-date"),
                try await hub.get("/fhir/Patient?_count=many"),
                try await hub.get("/fhir/Patient?_sort=nothing"),
                try await hub.get("/fhir/Patient?family:nonsense=x"),
                try await hub.get("/fhir/Patient/\(id)/_history/abc"),
                try await hub.get("/fhir/Patient/\(id)/_history/99999999999999999999"),
                try await hub.get("/fhir/Patient?_offset=99999999999999999999"),
                try await hub.get("/fhir/Patient/\(id)", headers: ["If-None-Match": "W/\"x\""]),
                try await hub.put("/fhir/Patient/\(id)", Sample.patient(id: id), headers: ["If-Match": "W/\"abc\""]),
                try await hub.put("/fhir/Patient/\(id)", Sample.patient(id: id), headers: ["If-Match": "W/\"99999999999999999999\""]),
                try await hub.post("/fhir/Patient", Sample.patient(), headers: ["If-None-Exist": "nonsense=1"]),
                try await hub.send(.post, "/fhir/Patient", body: Sample.patient(), headers: ["Content-Type": "text/plain"]),
                try await hub.get("/fhir/Patient/\(id)", headers: ["Accept": "application/x-nonsense"]),
                try await hub.get("/fhir/Patient/\(String(repeating: "x", count: 70))"),
                try await hub.get("/fhir/NoSuchType/1"),
                try await hub.get("/fhir/Patient/\(id)/$nonsense"),
            ]
            for reply in replies {
                #expect(reply.status < 500, "\(reply.status): \(reply.text.prefix(200))")
                Self.expectClean(reply, "bad request")
            }
        }
    }
}
