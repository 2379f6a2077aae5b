import FHIRCore
import Foundation
import HTTPTypes
import Testing

/// create, read, vread, update and delete (https://hl7.org/fhir/R4/http.html), with their headers.
@Suite("CRUD interactions")
struct CRUDTests {
    @Test("create assigns the id and version, and answers 201 with Location, ETag and Last-Modified")
    func create() async throws {
        try await Hub.run { hub in
            let reply = try await hub.post("/fhir/Patient", Sample.patient(id: "chosen-by-client"))
            #expect(reply.status == 201)
            let json = try reply.json
            let id = try #require(json["id"]?.stringValue)
            #expect(id != "chosen-by-client", "the server assigns the id of a created resource")
            #expect(json.string("meta.versionId") == "1")
            let lastUpdated = try #require(json.string("meta.lastUpdated"))
            #expect(FHIRDateTime(lastUpdated)?.hasTime == true)
            #expect(reply.header("Location") == "\(Hub.base)/Patient/\(id)/_history/1")
            #expect(reply.header("ETag") == #"W/"1""#)
            let lastModified = try #require(reply.header("Last-Modified"))
            #expect(lastModified.hasSuffix(" GMT") && lastModified.count == 29, "RFC 9110 date: \(lastModified)")
            #expect(reply.header("Content-Type") == "application/fhir+json; charset=utf-8")
            #expect(json.string("name.0.family") == "Chalmers")
        }
    }

    @Test("read and vread return the stored content with ETag and Last-Modified")
    func readAndVread() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient())
            let read = try await hub.get("/fhir/Patient/\(id)")
            #expect(read.status == 200)
            #expect(read.header("ETag") == #"W/"1""#)
            #expect(read.header("Last-Modified") != nil)
            #expect(try read.json["id"]?.stringValue == id)

            let vread = try await hub.get("/fhir/Patient/\(id)/_history/1")
            #expect(vread.status == 200)
            #expect(try vread.json == read.json)
            #expect(vread.header("ETag") == #"W/"1""#)

            try await hub.get("/fhir/Patient/\(id)/_history/2").expectError(404, code: "not-found")
            try await hub.get("/fhir/Patient/does-not-exist").expectError(404, code: "not-found")
            try await hub.get("/fhir/Patient/does-not-exist/_history/1").expectError(404)
        }
    }

    @Test("HEAD on a resource answers like GET without a body")
    func head() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient())
            let reply = try await hub.send(.head, "/fhir/Patient/\(id)")
            #expect(reply.status == 200)
            #expect(reply.header("ETag") == #"W/"1""#)
            #expect(reply.isEmpty)
        }
    }

    @Test("update makes version 2 (200); update of a new id creates it (201)")
    func update() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient())
            let updated = try await hub.put("/fhir/Patient/\(id)", Sample.patient(id: id, family: "Windsor"))
            #expect(updated.status == 200)
            #expect(updated.header("ETag") == #"W/"2""#)
            #expect(try updated.json.string("meta.versionId") == "2")
            #expect(try updated.json.string("name.0.family") == "Windsor")
            #expect(try await hub.get("/fhir/Patient/\(id)").json.string("name.0.family") == "Windsor")
            #expect(try await hub.get("/fhir/Patient/\(id)/_history/1").json.string("name.0.family") == "Chalmers")

            let created = try await hub.put("/fhir/Patient/client-id-1", Sample.patient(id: "client-id-1"))
            #expect(created.status == 201)
            #expect(created.header("ETag") == #"W/"1""#)
            #expect(created.header("Location") == "\(Hub.base)/Patient/client-id-1/_history/1")
            #expect(try created.json["id"]?.stringValue == "client-id-1")
        }
    }

    @Test("delete answers 204; then read and vread of the deletion are 410, and history shows the DELETE")
    func delete() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient(identifier: "D1"))
            let deleted = try await hub.delete("/fhir/Patient/\(id)")
            #expect(deleted.status == 204)
            #expect(deleted.isEmpty)

            try await hub.get("/fhir/Patient/\(id)").expectError(410)
            try await hub.get("/fhir/Patient/\(id)/_history/2").expectError(410)
            #expect(try await hub.get("/fhir/Patient/\(id)/_history/1").status == 200)

            let history = try await hub.get("/fhir/Patient/\(id)/_history").json
            #expect(history.entries.count == 2)
            #expect(history.string("entry.0.request.method") == "DELETE")
            #expect(history.string("entry.0.request.url") == "Patient/\(id)")
            #expect(history[path: "entry.0.resource"] == nil)
            #expect(history.string("entry.0.response.etag") == #"W/"2""#)
            #expect(history.string("entry.1.request.method") == "POST")

            // Deleting again changes nothing and is not an error; a deleted resource no longer matches searches.
            let again = try await hub.delete("/fhir/Patient/\(id)")
            #expect(again.status == 204 || again.status == 200)
            #expect(try await hub.storedVersions("Patient", id) == [1, 2])
            #expect(try await hub.get("/fhir/Patient?identifier=D1").json.entries.isEmpty)

            // A deleted resource can be brought back by an update: version 3.
            let revived = try await hub.put("/fhir/Patient/\(id)", Sample.patient(id: id))
            #expect([200, 201].contains(revived.status))
            #expect(revived.header("ETag") == #"W/"3""#)
        }
    }

    @Test("If-Match: the right version updates, a wrong one is 412 and writes nothing")
    func ifMatch() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient())
            let stale = try await hub.put("/fhir/Patient/\(id)", Sample.patient(id: id, family: "X"), headers: ["If-Match": #"W/"2""#])
            try stale.expectError(412)
            #expect(try await hub.storedVersions("Patient", id) == [1])

            let fresh = try await hub.put("/fhir/Patient/\(id)", Sample.patient(id: id, family: "Y"), headers: ["If-Match": #"W/"1""#])
            #expect(fresh.status == 200)
            #expect(fresh.header("ETag") == #"W/"2""#)

            let again = try await hub.put("/fhir/Patient/\(id)", Sample.patient(id: id, family: "Z"), headers: ["If-Match": #"W/"1""#])
            try again.expectError(412)
            #expect(try await hub.get("/fhir/Patient/\(id)").json.string("name.0.family") == "Y")
        }
    }

    @Test("If-None-Match on read: the current version is 304, an older one reads normally")
    func ifNoneMatch() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient())
            let notModified = try await hub.get("/fhir/Patient/\(id)", headers: ["If-None-Match": #"W/"1""#])
            #expect(notModified.status == 304)
            #expect(notModified.isEmpty)
            try await hub.put("/fhir/Patient/\(id)", Sample.patient(id: id, family: "Changed"))
            let modified = try await hub.get("/fhir/Patient/\(id)", headers: ["If-None-Match": #"W/"1""#])
            #expect(modified.status == 200)
            #expect(modified.header("ETag") == #"W/"2""#)
        }
    }

    @Test("If-None-Exist: no match creates (201), one match returns it (200), several matches are 412")
    func conditionalCreate() async throws {
        try await Hub.run { hub in
            let condition = ["If-None-Exist": "identifier=urn:test:mrn|C1"]
            let first = try await hub.post("/fhir/Patient", Sample.patient(identifier: "C1"), headers: condition)
            #expect(first.status == 201)
            let id = try #require(try first.json["id"]?.stringValue)

            let second = try await hub.post("/fhir/Patient", Sample.patient(family: "Other", identifier: "C1"), headers: condition)
            #expect(second.status == 200)
            #expect(try second.json["id"]?.stringValue == id)
            #expect(try second.json.string("name.0.family") == "Chalmers", "the existing resource is returned unchanged")
            #expect(try await hub.count("resource", type: "Patient") == 1)

            // The `Type?` form of the header means the same.
            let typed = try await hub.post("/fhir/Patient", Sample.patient(identifier: "C1"), headers: ["If-None-Exist": "Patient?identifier=C1"])
            #expect(typed.status == 200)

            _ = try await hub.create(Sample.patient(identifier: "C2"))
            _ = try await hub.create(Sample.patient(identifier: "C2"))
            let before = try await hub.footprint()
            let ambiguous = try await hub.post("/fhir/Patient", Sample.patient(identifier: "C2"), headers: ["If-None-Exist": "identifier=C2"])
            try ambiguous.expectError(412)
            #expect(try await hub.footprint() == before)
        }
    }

    @Test("conditional update: no match creates, one match updates it, several are 412")
    func conditionalUpdate() async throws {
        try await Hub.run { hub in
            let created = try await hub.put("/fhir/Patient?identifier=urn:test:mrn|U1", Sample.patient(identifier: "U1"))
            #expect(created.status == 201)
            let id = try #require(try created.json["id"]?.stringValue)

            let updated = try await hub.put("/fhir/Patient?identifier=urn:test:mrn|U1", Sample.patient(family: "Next", identifier: "U1"))
            #expect(updated.status == 200)
            #expect(try updated.json["id"]?.stringValue == id)
            #expect(updated.header("ETag") == #"W/"2""#)

            // A body id that is not the match's id is refused.
            try await hub.put("/fhir/Patient?identifier=U1", Sample.patient(id: "someone-else", identifier: "U1")).expectError(400)

            _ = try await hub.create(Sample.patient(identifier: "U2"))
            _ = try await hub.create(Sample.patient(identifier: "U2"))
            try await hub.put("/fhir/Patient?identifier=U2", Sample.patient(identifier: "U2")).expectError(412)
            try await hub.put("/fhir/Patient", Sample.patient(identifier: "U3")).expectError(400)
        }
    }

    @Test("conditional delete: deletes the one match; several matches are 412 and delete nothing")
    func conditionalDelete() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient(identifier: "X1"))
            let deleted = try await hub.delete("/fhir/Patient?identifier=urn:test:mrn|X1")
            #expect(deleted.status == 204 || deleted.status == 200)
            try await hub.get("/fhir/Patient/\(id)").expectError(410)
            let none = try await hub.delete("/fhir/Patient?identifier=X1")
            #expect(none.status == 204 || none.status == 200 || none.status == 404)

            let a = try await hub.create(Sample.patient(identifier: "X2"))
            let b = try await hub.create(Sample.patient(identifier: "X2"))
            try await hub.delete("/fhir/Patient?identifier=X2").expectError(412)
            #expect(try await hub.get("/fhir/Patient/\(a)").status == 200)
            #expect(try await hub.get("/fhir/Patient/\(b)").status == 200)
        }
    }

    @Test("Prefer: return=minimal has no body, return=OperationOutcome an outcome, representation the resource")
    func prefer() async throws {
        try await Hub.run { hub in
            let minimal = try await hub.post("/fhir/Patient", Sample.patient(), headers: ["Prefer": "return=minimal"])
            #expect(minimal.status == 201)
            #expect(minimal.isEmpty)
            #expect(minimal.header("Location") != nil)
            #expect(minimal.header("ETag") == #"W/"1""#)

            let outcome = try await hub.post("/fhir/Patient", Sample.patient(), headers: ["Prefer": "return=OperationOutcome"])
            #expect(outcome.status == 201)
            let issues = try outcome.outcomeIssues()
            #expect(issues.first?["severity"]?.stringValue == "information")

            let representation = try await hub.post("/fhir/Patient", Sample.patient(), headers: ["Prefer": "return=representation"])
            #expect(representation.status == 201)
            #expect(try representation.json["resourceType"]?.stringValue == "Patient")

            let location = try #require(Sample.path(of: minimal.header("Location")))
            let id = location.split(separator: "/")[2]
            let update = try await hub.put("/fhir/Patient/\(id)", Sample.patient(id: String(id)), headers: ["Prefer": "return=minimal"])
            #expect(update.status == 200)
            #expect(update.isEmpty)
        }
    }
}
