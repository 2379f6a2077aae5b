import FHIRCore
import NIOCore
import Foundation
import Store
import Testing

@Suite("History")
struct HistoryTests {
    @Test("instance history is newest first with methods, and deletions have no body")
    func instanceHistory() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let created = try await session.create(patient(family: "v1"))
                _ = try await session.update(patient(family: "v2"), id: created.id)
                _ = try await session.update(patient(family: "v3"), id: created.id, method: "PATCH")
                try await session.delete("Patient", created.id)
                _ = try await session.create(patient(family: "other"))

                let history = try await session.history(HistoryQuery(resourceType: "Patient", id: created.id))
                #expect(history.map(\.versionId) == [4, 3, 2, 1])
                #expect(history.map(\.method) == ["DELETE", "PATCH", "PUT", "POST"])
                #expect(history.map(\.deleted) == [true, false, false, false])
                #expect(history[0].body.readableBytes == 0)
                #expect(try history[1...].map { try $0.family() } == ["v3", "v2", "v1"])
                #expect(zip(history, history.dropFirst()).allSatisfy { $0.lastUpdated >= $1.lastUpdated })
            }
        }
    }

    @Test("type and system history include everything written, newest first, paged")
    func typeAndSystemHistory() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let first = try await session.create(patient(family: "a"))
                let observation = try await session.create(
                    FHIRResource(resourceType: "Observation", [("status", .string("final"))])
                )
                _ = try await session.update(patient(family: "b"), id: first.id)

                let patients = try await session.history(HistoryQuery(resourceType: "Patient"))
                #expect(patients.map(\.versionId) == [2, 1])
                #expect(patients.allSatisfy { $0.id == first.id })
                let system = try await session.history(HistoryQuery())
                #expect(system.map(\.reference) == ["Patient/\(first.id)", observation.reference, "Patient/\(first.id)"])
                let page1 = try await session.history(HistoryQuery(count: 2, offset: 0))
                let page2 = try await session.history(HistoryQuery(count: 2, offset: 2))
                #expect(page1.map(\.reference) + page2.map(\.reference) == system.map(\.reference))
                #expect(page2.count == 1)
                #expect(try await session.history(HistoryQuery(resourceType: "Encounter")).isEmpty)
            }
        }
    }

    @Test("_since keeps versions written at or after the time; before keeps those written earlier")
    func sinceFilter() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let created = try await session.create(patient(family: "v1"))
                _ = try await session.update(patient(family: "v2"), id: created.id)
                try await Task.sleep(for: .milliseconds(20))
                let cut = Date()
                try await Task.sleep(for: .milliseconds(20))
                _ = try await session.update(patient(family: "v3"), id: created.id)
                try await session.delete("Patient", created.id)

                let since = try await session.history(HistoryQuery(resourceType: "Patient", id: created.id, since: cut))
                #expect(since.map(\.versionId) == [4, 3])
                #expect(since.allSatisfy { $0.lastUpdated >= cut })
                let before = try await session.history(HistoryQuery(id: created.id, before: cut))
                #expect(before.map(\.versionId) == [2, 1])
                let future = try await session.history(HistoryQuery(since: Date().addingTimeInterval(3600)))
                #expect(future.isEmpty)
                let third = try #require(since.last)
                let stamped = try #require(try third.resource().lastUpdated.flatMap(FHIRDateTime.init))
                #expect(stamped.lowerBound >= cut)
            }
        }
    }

    @Test("_since equal to a version's own meta.lastUpdated includes that version, for every write")
    func sinceOwnLastUpdated() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                for index in 0..<200 {
                    let created = try await session.create(patient(family: "p\(index)"))
                    let stamped = try #require(try created.resource().lastUpdated.flatMap(FHIRDateTime.init))
                    let since = try await session.history(
                        HistoryQuery(resourceType: "Patient", id: created.id, since: stamped.lowerBound)
                    )
                    #expect(since.map(\.versionId) == [1], "write \(index) at \(stamped)")
                }
            }
        }
    }
}
