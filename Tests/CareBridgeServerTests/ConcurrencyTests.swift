import FHIRCore
import Foundation
import HTTPTypes
import Testing

/// Many clients at once against the real database: no duplicates, no lost or interleaved versions.
@Suite("Concurrency")
struct ConcurrencyTests {
    static let writers = 20

    /// Sends `count` requests at once and returns the replies in index order.
    static func parallel(_ count: Int, _ send: @escaping @Sendable (Int) async throws -> Reply) async throws -> [Reply] {
        try await withThrowingTaskGroup(of: (Int, Reply).self) { group in
            for index in 0..<count {
                group.addTask { (index, try await send(index)) }
            }
            var replies = [Reply?](repeating: nil, count: count)
            for try await (index, reply) in group { replies[index] = reply }
            return replies.compactMap { $0 }
        }
    }

    @Test("parallel conditional creates with the same If-None-Exist make exactly one resource")
    func conditionalCreates() async throws {
        try await Hub.run { hub in
            let replies = try await Self.parallel(Self.writers) { _ in
                try await hub.post("/fhir/Patient", Sample.patient(identifier: "SAME"), headers: ["If-None-Exist": "identifier=urn:test:mrn|SAME"])
            }
            #expect(replies.filter { $0.status == 201 }.count == 1, "\(replies.map(\.status))")
            #expect(replies.filter { $0.status == 200 }.count == Self.writers - 1)
            let ids = Set(try replies.map { try $0.json["id"]?.stringValue })
            #expect(ids.count == 1)
            #expect(try await hub.count("resource", type: "Patient") == 1)
            #expect(try await hub.count("resource_history", type: "Patient") == 1)
            #expect(try await hub.get("/fhir/Patient?identifier=SAME").json.entries.count == 1)
        }
    }

    @Test("parallel updates with the same If-Match: one wins, the rest are 412, no gap in versions")
    func ifMatchRace() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient())
            let replies = try await Self.parallel(Self.writers) { index in
                try await hub.put("/fhir/Patient/\(id)", Sample.patient(id: id, family: "Writer\(index)"), headers: ["If-Match": #"W/"1""#])
            }
            let statuses = replies.map(\.status)
            #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 412 }.count == Self.writers - 1, "\(statuses)")
            #expect(try await hub.storedVersions("Patient", id) == [1, 2])
            let winner = try #require(replies.firstIndex { $0.status == 200 })
            #expect(try await hub.get("/fhir/Patient/\(id)").json.string("name.0.family") == "Writer\(winner)")
        }
    }

    @Test("parallel plain updates each get their own version: 1...N+1, none lost")
    func plainUpdates() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient())
            let replies = try await Self.parallel(Self.writers) { index in
                try await hub.put("/fhir/Patient/\(id)", Sample.patient(id: id, family: "Writer\(index)"))
            }
            #expect(replies.allSatisfy { $0.status == 200 }, "\(replies.map(\.status))")
            #expect(replies.compactMap(\.etagVersion).sorted() == Array(2...(Self.writers + 1)))
            #expect(try await hub.storedVersions("Patient", id) == Array(1...(Self.writers + 1)))

            // Each stored version holds the body its writer sent, stamped with that version.
            let history = try await hub.get("/fhir/Patient/\(id)/_history?_count=100").json
            #expect(history.entries.count == Self.writers + 1)
            var families = Set<String>()
            for entry in history.entries {
                #expect(entry.string("resource.meta.versionId") == entry.string("response.etag")?.dropFirst(3).dropLast().description)
                if let family = entry.string("resource.name.0.family") { families.insert(family) }
            }
            #expect(families.count == Self.writers + 1, "every writer's content is one version")
            #expect(try await hub.get("/fhir/Patient/\(id)").etagVersion == Self.writers + 1)
        }
    }

    @Test("parallel update-as-create of one new id: one 201, then consecutive versions")
    func updateCreates() async throws {
        try await Hub.run { hub in
            let replies = try await Self.parallel(Self.writers) { _ in
                try await hub.put("/fhir/Patient/racing", Sample.patient(id: "racing"))
            }
            #expect(replies.filter { $0.status == 201 }.count == 1, "\(replies.map(\.status))")
            #expect(replies.filter { $0.status == 200 }.count == Self.writers - 1)
            #expect(try await hub.storedVersions("Patient", "racing") == Array(1...Self.writers))
        }
    }

    @Test("parallel JSON Patches without If-Match all apply")
    func patches() async throws {
        try await Hub.run { hub in
            let id = try await hub.create(Sample.patient(identifier: "first"))
            let replies = try await Self.parallel(10) { index in
                try await hub.send(
                    .patch, "/fhir/Patient/\(id)",
                    body: #"[{"op":"add","path":"/identifier/-","value":{"system":"urn:test:patch","value":"p\#(index)"}}]"#,
                    headers: ["Content-Type": "application/json-patch+json"]
                )
            }
            #expect(replies.allSatisfy { $0.status == 200 }, "\(replies.map { "\($0.status) \($0.text)" })")
            let values = try await hub.get("/fhir/Patient/\(id)").json["identifier"]?.arrayValue?.compactMap { $0["value"]?.stringValue }
            #expect(Set(values ?? []) == Set(["first"] + (0..<10).map { "p\($0)" }))
            #expect(try await hub.storedVersions("Patient", id) == Array(1...11))
        }
    }

    @Test("parallel transactions with the same conditional create make one resource")
    func transactions() async throws {
        try await Hub.run { hub in
            let replies = try await Self.parallel(Self.writers) { index in
                let bundle = Sample.bundle("transaction", [
                    BundleTests.entry(
                        "POST", "Patient", resource: Sample.patient(identifier: "TX"), fullUrl: "urn:uuid:00000000-0000-4000-8000-0000000000\(10 + index)",
                        extra: #","ifNoneExist":"identifier=urn:test:mrn|TX""#
                    ),
                    BundleTests.entry("POST", "Observation", resource: BundleTests.observation(subject: "urn:uuid:00000000-0000-4000-8000-0000000000\(10 + index)")),
                ])
                return try await hub.post("/fhir", bundle)
            }
            #expect(replies.allSatisfy { $0.status == 200 }, "\(replies.map { "\($0.status) \($0.text)" })")
            let locations = Set(try replies.map { try $0.json.string("entry.0.response.location") })
            #expect(locations.count == 1, "\(locations)")
            #expect(try await hub.count("resource", type: "Patient") == 1)
            #expect(try await hub.count("resource", type: "Observation") == Self.writers)
            let patient = try #require(locations.first.flatMap { $0 }).split(separator: "/").prefix(2).joined(separator: "/")
            let subjects = try await hub.get("/fhir/Observation?_count=100").json.entries.compactMap { $0.string("resource.subject.reference") }
            #expect(subjects == Array(repeating: patient, count: Self.writers))
        }
    }

    @Test("parallel transactions with the same two conditional creates, in either order, all succeed and make one resource each")
    func transactionsInEitherOrder() async throws {
        try await Hub.run { hub in
            let replies = try await Self.parallel(Self.writers) { index in
                let entries = ["ONE", "TWO"].enumerated().map { (position: Int, identifier: String) in
                    BundleTests.entry(
                        "POST", "Patient", resource: Sample.patient(identifier: identifier),
                        fullUrl: "urn:uuid:00000000-0000-4000-8000-00000000\(100 + index)\(position)",
                        extra: #","ifNoneExist":"identifier=urn:test:mrn|\#(identifier)""#
                    )
                }
                return try await hub.post("/fhir", Sample.bundle("transaction", index.isMultiple(of: 2) ? entries : Array(entries.reversed())))
            }
            #expect(replies.allSatisfy { $0.status == 200 }, "\(replies.map { "\($0.status) \($0.text)" })")
            #expect(try await hub.count("resource", type: "Patient") == 2)
            #expect(try await hub.get("/fhir/Patient?identifier=ONE").json.entries.count == 1)
            #expect(try await hub.get("/fhir/Patient?identifier=TWO").json.entries.count == 1)
        }
    }
}
