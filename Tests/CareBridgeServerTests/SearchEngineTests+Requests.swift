import FHIRCore
import Foundation
import HTTPTypes
import PostgresNIO
import Testing

/// Search requests as a whole: errors and lenient handling, conditional interactions, the CapabilityStatement and
/// the availability query clinic portals send; expected results worked out by hand.
extension SearchEngineTests {
    @Test("errors: unknown parameters, bad values, unsupported modifiers; lenient handling lists what it ignored")
    func errors() async throws {
        try await Hub.run { hub in
            try await Self.patients(hub)
            for query in [
                "foo=bar", "birthdate=abc", "family:below=x", "gender:in=http://x", "birthdate:exact=1970",
                "general-practitioner.nickname=x", "family.name=x", "organization:Patient.name=x", "_include=Observation:subject", "_include=Patient:gender", "_include:deep=Patient:link", "_summary=maybe", "gender:below=male", "identifier:of-type=MR|1", "_contained=true", "_has:Observation:code:status=x", "_has:Observation=x",
                "_sort=link", "_total=some", "_count=-1", "value-quantity=1|a", "identifier:missing=maybe", "_text=x", "_lastUpdated:missing=true",
            ] {
                try await hub.get("/fhir/Patient?\(query)").expectError(400)
            }
            let lenient = try await hub.get("/fhir/Patient?foo=bar&gender=male", headers: ["Prefer": "handling=lenient"])
            #expect(lenient.status == 200)
            let entries = try lenient.json.entries
            #expect(entries.compactMap { $0.string("resource.id") }.filter { $0.hasPrefix("p") } == ["p1", "p5"])
            #expect(entries.last?.string("search.mode") == "outcome")
            #expect(entries.last?.string("resource.issue.0.diagnostics")?.contains("foo") == true)
            try await hub.get("/fhir/Patient?birthdate=abc", headers: ["Prefer": "handling=lenient"]).expectError(400)

            let posted = try await hub.send(
                .post, "/fhir/Patient/_search", body: "family=chal&gender=female",
                headers: ["Content-Type": "application/x-www-form-urlencoded"]
            )
            #expect(try posted.json.entries.map { $0.string("resource.id") } == ["p2"])
        }
    }

    @Test("conditional create, update and delete match on any search parameter")
    func conditional() async throws {
        try await Hub.run { hub in
            try await Self.patients(hub)
            let existing = try await hub.post(
                "/fhir/Patient", #"{"resourceType":"Patient"}"#, headers: ["If-None-Exist": "family:exact=Chalmers&birthdate=1974"]
            )
            #expect(existing.status == 200)
            #expect(try existing.json["id"]?.stringValue == "p1")
            let updated = try await hub.put("/fhir/Patient?family=smi", #"{"resourceType":"Patient","active":true}"#)
            #expect(updated.status == 200)
            #expect(try updated.json["id"]?.stringValue == "p4")
            try await hub.delete("/fhir/Patient?gender=male").expectError(412)
            #expect(try await hub.delete("/fhir/Patient?birthdate=1970-05").status == 204)
            try await hub.expect("Patient?_id=p2", [])
        }
    }

    @Test("the CapabilityStatement lists the supported search parameters with their types")
    func capabilities() async throws {
        try await Hub.run { hub in
            let resources = try await hub.get("/fhir/metadata").json[path: "rest.0.resource"]?.arrayValue ?? []
            let patient = try #require(resources.first { $0["type"]?.stringValue == "Patient" })
            let parameters = (patient["searchParam"]?.arrayValue ?? []).compactMap { parameter in
                parameter["name"]?.stringValue.map { ($0, parameter["type"]?.stringValue ?? "") }
            }
            let types = Dictionary(parameters, uniquingKeysWith: { first, _ in first })
            #expect(types["birthdate"] == "date" && types["family"] == "string" && types["gender"] == "token")
            #expect(types["general-practitioner"] == "reference" && types["_profile"] == "uri" && types["_id"] == "token")
            #expect(types["_text"] == nil && types["_content"] == nil && types["_filter"] == nil, "not supported, not listed")
            #expect(patient["searchInclude"]?.arrayValue?.contains(.string("Patient:general-practitioner")) == true)
            #expect(patient["searchRevInclude"]?.arrayValue?.contains(.string("Observation:subject")) == true)
            let slot = try #require(resources.first { $0["type"]?.stringValue == "Slot" })
            #expect(slot["searchParam"]?.arrayValue?.contains { $0["name"]?.stringValue == "start" } == true)
        }
    }

    @Test("availability: free slots of a schedule in a week, by start")
    func availability() async throws {
        try await Hub.run { hub in
            let slots = [
                ("s1", "sch1", "free", "2026-12-01T09:00:00Z"), ("s2", "sch1", "busy", "2026-12-03T09:00:00Z"),
                ("s3", "sch1", "free", "2026-12-07T23:59:59Z"), ("s4", "sch1", "free", "2026-12-08T00:00:00Z"),
                ("s5", "sch1", "free", "2026-11-30T23:00:00Z"), ("s6", "sch2", "free", "2026-12-02T09:00:00Z"),
                ("s7", "sch1", "free", "2026-12-02T10:00:00Z"),
            ]
            for (id, schedule, status, start) in slots {
                let body = #"{"resourceType":"Slot","id":"\#(id)","schedule":{"reference":"Schedule/\#(schedule)"},"status":"\#(status)","start":"\#(start)","end":"\#(start)"}"#
                try await hub.store("/fhir/Slot/\(id)", body)
            }
            for (schedule, actor) in [("sch1", "dr1"), ("sch2", "dr2")] {
                let body = #"{"resourceType":"Schedule","id":"\#(schedule)","actor":[{"reference":"Practitioner/\#(actor)"}]}"#
                try await hub.store("/fhir/Schedule/\(schedule)", body)
            }
            try await hub.expect(
                "Slot?schedule=Schedule/sch1&status=free&start=ge2026-12-01&start=lt2026-12-08&_sort=start",
                ["s1", "s7", "s3"], ordered: true
            )
            try await hub.expect(
                "Slot?schedule.actor=Practitioner/dr1&status=free&start=ge2026-12-01&start=lt2026-12-08&_sort=start",
                ["s1", "s7", "s3"], ordered: true
            )
            try await hub.expect("Slot?schedule:Schedule.actor=dr2&status=free", ["s6"])
            try await hub.expect("Slot?schedule=sch1&status=free,busy&start=lt2026-12-02&_sort=-start", ["s1", "s5"], ordered: true)
        }
    }
}

extension Hub {
    /// Creates a resource with the id in `path` (update as create), expecting 201.
    func store(_ path: String, _ body: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let reply = try await put(path, body)
        #expect(reply.status == 201, "\(path): \(reply.text)", sourceLocation: sourceLocation)
    }

    /// Writes index rows (test SQL written here, never user input).
    func index(_ statements: String) async throws {
        for statement in statements.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        where !statement.isEmpty {
            try await database.query(PostgresQuery(unsafeSQL: statement))
        }
    }

    /// Expects the search `query` (below `/fhir/`) to answer exactly the ids `expected` (in order if `ordered`).
    func expect(
        _ query: String, _ expected: [String], _ why: String = "", ordered: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let reply = try await get("/fhir/" + query.replacingOccurrences(of: "|", with: "%7C"))
        #expect(reply.status == 200, "\(query): \(reply.text)", sourceLocation: sourceLocation)
        let ids = try reply.json.entries.compactMap { $0.string("resource.id") }
        if ordered {
            #expect(ids == expected, "\(query) \(why)", sourceLocation: sourceLocation)
        } else {
            #expect(Set(ids) == Set(expected) && ids.count == expected.count, "\(query): \(ids) \(why)", sourceLocation: sourceLocation)
        }
    }
}
