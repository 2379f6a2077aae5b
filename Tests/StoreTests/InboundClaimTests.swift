import PostgresNIO
import Store
import Testing

/// A message claims its sender and control id as the transaction that applied it records it processed: the claim
/// holds once committed, ends with a rollback, and a copy claiming the same key learns which message holds it and
/// is not marked.
@Suite("Inbound claims")
struct InboundClaimTests {
    static let header = InboundHeader(sendingApplication: "LAB", sendingFacility: "NORTH", controlID: "K1", messageType: "ORU^R01")

    static func record(_ session: StoreSession, _ header: InboundHeader = header) async throws -> Int64 {
        let raw = Array("MSH|^~\\&|LAB|NORTH\r".utf8)
        let ids = try await session.recordInbound([ArrivedInbound(raw: raw, source: .http, peer: nil, header: header)])
        return try #require(ids.first)
    }

    /// The messages holding the claim on the test's key.
    static func holders(_ database: TestDatabase) async throws -> [Int] {
        try await database.integers("SELECT message_id::int FROM inbound_processed WHERE control_id = 'K1'")
    }

    static func status(_ store: ResourceStore, _ id: Int64) async throws -> InboundStatus? {
        try await store.withSession { try await $0.inboundMessage(id)?.status }
    }

    @Test("the first message holds the key; a copy is told which and left unmarked; a rolled-back claim and a released one hold nothing")
    func claims() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let (first, copy) = try await store.withSession { session in (try await Self.record(session), try await Self.record(session)) }
            struct Rollback: Error {}
            await #expect(throws: Rollback.self) {
                try await store.withTransaction { session in
                    #expect(try await session.markApplied(copy, header: Self.header, resources: ["Patient/p"]) == nil)
                    throw Rollback()
                }
            }
            #expect(try await Self.status(store, copy) == .received)
            #expect(try await Self.holders(database).isEmpty)

            #expect(try await store.withTransaction { try await $0.markApplied(first, header: Self.header, resources: []) } == nil)
            #expect(try await Self.status(store, first) == .processed)
            #expect(try await store.withTransaction { try await $0.markApplied(first, header: Self.header, resources: []) } == nil,
                    "its own again (replay)")
            #expect(try await store.withTransaction { try await $0.markApplied(copy, header: Self.header, resources: []) } == first)
            #expect(try await Self.status(store, copy) == .received, "a copy is not marked processed")
            #expect(try await Self.holders(database) == [Int(first)])
            #expect(try await store.withTransaction { try await $0.claimInbound(Self.header, id: copy) } == first,
                    "claiming (as a failed copy does) tells the holder too")

            let unnamed = InboundHeader(sendingApplication: "LAB", sendingFacility: "NORTH", controlID: "", messageType: "ORU^R01")
            let other = try await store.withSession { try await Self.record($0, unnamed) }
            #expect(try await store.withTransaction { try await $0.markApplied(other, header: unnamed, resources: []) } == nil,
                    "no control id, no claim")
            #expect(try await store.withTransaction { try await $0.claimInbound(unnamed, id: other) } == nil)

            try await store.withTransaction { try await $0.releaseInbound(first) }
            #expect(try await store.withTransaction { try await $0.markApplied(copy, header: Self.header, resources: []) } == nil)
            #expect(try await store.withTransaction { try await $0.markApplied(first, header: Self.header, resources: []) } == copy)
            await #expect(throws: StoreError.self) {
                try await store.withTransaction { try await $0.markApplied(999_999, header: unnamed, resources: []) }
            }
        }
    }

    @Test("copies claiming at once: exactly one gets the key, the others are told it is that one")
    func concurrentCopies() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            var ids: [Int64] = []
            for _ in 0..<8 { ids.append(try await store.withSession { try await Self.record($0) }) }
            let holders = try await withThrowingTaskGroup(of: (Int64, Int64?).self) { group in
                for id in ids {
                    group.addTask { (id, try await store.withTransaction { try await $0.markApplied(id, header: Self.header, resources: []) }) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let winners = holders.filter { $0.1 == nil }.map(\.0)
            #expect(holders.count == 8 && winners.count == 1)
            #expect(holders.compactMap(\.1).allSatisfy { $0 == winners.first })
        }
    }

    @Test("a batch is logged in order and marked in one statement: all of it, or none when one copy's key is taken")
    func batches() async throws {
        try await TestDatabase.with { database in
            let store = database.store
            let headers = ["B1", "B2", "B3"].map {
                InboundHeader(sendingApplication: "LAB", sendingFacility: "NORTH", controlID: $0, messageType: "ORU^R01")
            }
            let ids = try await store.withSession { session in
                try await session.recordInbound(headers.enumerated().map { position, header in
                    ArrivedInbound(raw: Array("MSH|\(position)".utf8), source: .mllp, peer: position == 0 ? nil : "peer", header: header)
                })
            }
            #expect(ids.count == 3 && ids == ids.sorted())
            let logged = try await store.withSession { session in
                try await ids.asyncMap { try await session.inboundMessage($0) }
            }
            #expect(logged.map { $0?.header.controlID } == ["B1", "B2", "B3"])
            #expect(logged.map { $0.map { String(decoding: $0.raw, as: UTF8.self) } } == ["MSH|0", "MSH|1", "MSH|2"])
            #expect(logged.map { $0?.peer } == [nil, "peer", "peer"])

            let applied = zip(ids, headers).map { AppliedInbound(id: $0, header: $1, resources: ["Patient/\($0)", "Encounter/e"]) }
            #expect(try await store.withTransaction { try await $0.markApplied(Array(applied.prefix(2))) }.isEmpty)
            let copy = try await store.withSession { try await Self.record($0, headers[1]) }
            let withCopy = [applied[2], AppliedInbound(id: copy, header: headers[1], resources: [])]
            #expect(try await store.withTransaction { try await $0.markApplied(withCopy) } == [copy: ids[1]])
            let statuses = try await store.withSession { session in
                try await (ids + [copy]).asyncMap { try await session.inboundMessage($0) }
            }
            #expect(statuses.map { $0?.status } == [.processed, .processed, .received, .received], "the third is not marked with the copy")
            #expect(statuses.first??.resources == ["Patient/\(ids[0])", "Encounter/e"])
        }
    }
}

extension Array {
    /// The results of `transform` on each element, in order, one after the other.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
