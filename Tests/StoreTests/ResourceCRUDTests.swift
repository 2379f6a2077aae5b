import FHIRCore
import NIOCore
import Store
import Testing

@Suite("Resource create, read, update, delete")
struct ResourceCRUDTests {
    @Test("create assigns an id and version 1, stamps meta, and reads back")
    func createAndRead() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let created = try await session.create(patient(id: "client-chosen", family: "Smith"))
                #expect(created.id != "client-chosen")
                #expect(FHIRResource.isValidID(created.id))
                #expect(created.versionId == 1)
                #expect(!created.deleted)
                #expect(created.method == "POST")
                let body = try created.resource()
                #expect(body.id == created.id)
                #expect(body.versionId == "1")
                #expect(body.json.keys == ["resourceType", "id", "meta", "name"])
                let lastUpdated = try #require(body.lastUpdated.flatMap(FHIRDateTime.init))
                #expect(lastUpdated.precision == .fraction)

                let read = try #require(try await session.read("Patient", created.id))
                #expect(read.versionId == 1)
                #expect(!read.deleted)
                #expect(Array(buffer: read.body) == Array(buffer: created.body))
                #expect(try await session.read("Patient", "nope") == nil)
                #expect(try await session.read("Observation", created.id) == nil)
            }
        }
    }

    @Test("two creates get different ids")
    func distinctIDs() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let first = try await session.create(patient())
                let second = try await session.create(patient())
                #expect(first.id != second.id)
            }
        }
    }

    @Test("create with an assigned id that is taken is a conflict")
    func assignedIDConflict() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                _ = try await session.create(patient(), assignedID: "fixed")
                await #expect { try await session.create(patient(), assignedID: "fixed") } throws: { error in
                    (error as? StoreError)?.code == .conflict
                }
                #expect(try await session.read("Patient", "fixed")?.versionId == 1)
            }
        }
    }

    @Test("update with a fresh id creates without looking first; an id that is taken after all is updated")
    func updateWithFreshID() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let fresh = try await session.update(patient(family: "new"), id: "fresh-1", freshID: true)
                #expect(fresh.created && fresh.stored.versionId == 1 && fresh.stored.method == "PUT")
                let taken = try await session.update(patient(family: "again"), id: "fresh-1", freshID: true)
                #expect(!taken.created && taken.stored.versionId == 2)
                #expect(try await session.read("Patient", "fresh-1")?.family() == "again")
                await #expect(throws: StoreError.self) {
                    try await session.update(patient(family: "x"), id: "fresh-2", ifMatch: 1, freshID: true)
                }
                #expect(try await session.read("Patient", "fresh-2") == nil, "If-Match never creates")
            }
        }
    }

    @Test("update increments the version and keeps every version readable")
    func updateVersions() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let created = try await session.create(patient(family: "v1"))
                let second = try await session.update(patient(family: "v2"), id: created.id)
                #expect(!second.created)
                #expect(second.stored.versionId == 2)
                let third = try await session.update(patient(family: "v3"), id: created.id, ifMatch: 2)
                #expect(third.stored.versionId == 3)
                #expect(try third.stored.resource().versionId == "3")

                #expect(try await session.read("Patient", created.id)?.family() == "v3")
                for (version, family) in [(1, "v1"), (2, "v2"), (3, "v3")] {
                    let old = try #require(try await session.read("Patient", created.id, version: version))
                    #expect(old.versionId == version)
                    #expect(try old.family() == family)
                    #expect(try old.resource().versionId == String(version))
                }
                #expect(try await session.read("Patient", created.id, version: 4) == nil)
                #expect(try await session.read("Patient", created.id, version: 0) == nil)
            }
        }
    }

    @Test("update of an unknown id creates it with that id (update-as-create)")
    func updateAsCreate() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let result = try await session.update(patient(id: "other", family: "New"), id: "chosen-1")
                #expect(result.created)
                #expect(result.stored.id == "chosen-1")
                #expect(result.stored.versionId == 1)
                #expect(result.stored.method == "PUT")
                #expect(try result.stored.resource().id == "chosen-1")
                #expect(try await session.read("Patient", "chosen-1")?.family() == "New")
                #expect(try await session.read("Patient", "chosen-1", version: 1)?.method == "PUT")
            }
        }
    }

    @Test("If-Match on a different version, or on a missing resource, is a version conflict")
    func ifMatchConflict() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let created = try await session.create(patient(family: "v1"))
                _ = try await session.update(patient(family: "v2"), id: created.id)
                await #expect { try await session.update(patient(family: "stale"), id: created.id, ifMatch: 1) } throws: {
                    ($0 as? StoreError)?.code == .versionConflict
                }
                await #expect { try await session.update(patient(), id: "missing", ifMatch: 1) } throws: {
                    ($0 as? StoreError)?.code == .versionConflict
                }
                #expect(try await session.read("Patient", created.id)?.versionId == 2)
                #expect(try await session.read("Patient", created.id)?.family() == "v2")
                #expect(try await session.read("Patient", "missing") == nil)
            }
        }
    }

    @Test("delete writes an empty version; reading shows it deleted; deleting again returns nil")
    func deleteTwice() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let created = try await session.create(patient())
                let deletion = try #require(try await session.delete("Patient", created.id))
                #expect(deletion.deleted)
                #expect(deletion.versionId == 2)
                #expect(deletion.method == "DELETE")

                let read = try #require(try await session.read("Patient", created.id))
                #expect(read.deleted)
                #expect(read.versionId == 2)
                let version = try #require(try await session.read("Patient", created.id, version: 2))
                #expect(version.deleted)
                #expect(version.body.readableBytes == 0)
                #expect(try await session.read("Patient", created.id, version: 1)?.deleted == false)

                #expect(try await session.delete("Patient", created.id) == nil)
                #expect(try await session.delete("Patient", "never-existed") == nil)
                #expect(try await session.read("Patient", created.id)?.versionId == 2)
                #expect(try await session.list("Patient", count: 10, offset: 0).isEmpty)
            }
        }
    }

    @Test("updating a deleted resource brings it back as the next version")
    func updateAfterDelete() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                let created = try await session.create(patient(family: "v1"))
                try await session.delete("Patient", created.id)
                let revived = try await session.update(patient(family: "back"), id: created.id)
                #expect(!revived.created)
                #expect(revived.stored.versionId == 3)
                let read = try #require(try await session.read("Patient", created.id))
                #expect(!read.deleted)
                #expect(try read.family() == "back")
            }
        }
    }

    @Test("list returns current, undeleted resources of one type, paged")
    func listPaging() async throws {
        try await TestDatabase.with { database in
            try await database.store.withSession { session in
                var ids: [String] = []
                for index in 0..<5 { ids.append(try await session.create(patient(family: "f\(index)")).id) }
                _ = try await session.create(FHIRResource(resourceType: "Observation", [("status", .string("final"))]))
                try await session.delete("Patient", ids[0])
                _ = try await session.update(patient(family: "changed"), id: ids[1])

                let all = try await session.list("Patient", count: 10, offset: 0)
                #expect(Set(all.map(\.id)) == Set(ids.dropFirst()))
                #expect(all.allSatisfy { $0.resourceType == "Patient" && !$0.deleted })
                #expect(all.first { $0.id == ids[1] }?.versionId == 2)
                let firstPage = try await session.list("Patient", count: 3, offset: 0)
                let secondPage = try await session.list("Patient", count: 3, offset: 3)
                #expect(firstPage.count == 3)
                #expect(secondPage.count == 1)
                #expect(firstPage.map(\.id) + secondPage.map(\.id) == all.map(\.id))
            }
        }
    }
}
