@testable import CareBridgeServer
import FHIRCore
import Foundation
import HL7v2
import HTTPTypes
import Logging
import Store
import Synchronization
import Testing

/// Messages applied together (`IngestPipeline+Batch`): a batch is logged by one statement and applied in one
/// transaction, and whatever becomes of a message is what would have become of it alone.
@Suite("HL7v2 ingest in batches")
struct IngestBatchTests {
    static func pipeline(_ hub: Hub) throws -> IngestPipeline {
        var logger = Logger(label: "carebridge.batch.test")
        logger.logLevel = .critical
        let configuration = HubConfiguration(
            profilesDirectory: TestPaths.profilesDirectory.path,
            mappingsDirectory: TestPaths.repositoryRoot.appendingPathComponent("mappings").path)
        return try makeIngestPipeline(configuration: configuration, client: hub.database, logger: logger)
    }

    /// Logs and applies `messages` as one batch; returns each one's MSA-1 and its log status.
    static func batch(_ pipeline: IngestPipeline, _ messages: [String]) async -> [(code: String, status: InboundStatus)] {
        let arrivals = messages.map { text in
            let raw = Array(text.utf8)
            let received = IngestPipeline.Received(raw, feeds: pipeline.mappings.feeds)
            return IngestPipeline.Arrival(raw: raw, received: received, source: .mllp, peer: "test")
        }
        return await pipeline.logAndApply(arrivals).map { ($0.acknowledgement["MSA-1"] ?? "?", $0.status) }
    }

    /// When message `control` was recorded processed: the start of the transaction that applied it.
    static func processedAt(_ hub: Hub, _ control: String) async throws -> String? {
        let log = try await hub.get("/inbound/messages?control-id=\(control)&status=processed").json["messages"]?.arrayValue
        return log?.first?["processedAt"]?.stringValue
    }

    /// When each of messages `controls` was recorded processed.
    static func processedAt(_ hub: Hub, _ controls: [String]) async throws -> [String?] {
        var times: [String?] = []
        for control in controls { times.append(try await processedAt(hub, control)) }
        return times
    }

    static func patients(_ hub: Hub, _ mrn: String) async throws -> [JSONValue] {
        try await hub.get("/fhir/Patient?identifier=\(mrn)").json.entries
    }

    @Test("a batch of good, unreadable, unsupported and repeated messages: each is answered as it would be alone")
    func mixedBatch() async throws {
        try await Hub.run { hub in
            let pipeline = try Self.pipeline(hub)
            let first = await Self.batch(pipeline, [
                IngestTests.adt("B1", mrn: "BATCH-1", trigger: "A04"),
                IngestTests.adt("B2", mrn: "BATCH-2", trigger: "A04"),
                "MSH|^~\\&|X|Y|||2026||ADT^A01|G1|P|2.5\rPID|1||1^^^A^MR\rbad segment\r",
                "MSH|^~\\&|X|Y|||2026||MFN^M02|U1|P|2.5\rMFI|PRA\r",
                IngestTests.adt("B3", mrn: "BATCH-3", trigger: "A04"),
                IngestTests.adt("B1", mrn: "BATCH-1", family: "Copy", trigger: "A04"),
            ])
            #expect(first.map(\.code) == ["AA", "AA", "AR", "AR", "AA", "AA"])
            #expect(first.map(\.status) == [.processed, .processed, .error, .error, .processed, .duplicate])
            for mrn in ["BATCH-1", "BATCH-2", "BATCH-3"] {
                let found = try await Self.patients(hub, mrn)
                #expect(found.count == 1 && found.first?.string("resource.name.0.family") == "Okafor", "\(mrn)")
            }
            let times = try await Self.processedAt(hub, ["B1", "B2", "B3"])
            #expect(times[0] != nil && Set(times).count == 1, "applied in one transaction: \(times)")
            let log = try await hub.get("/inbound/messages?control-id=B1").json["messages"]?.arrayValue ?? []
            #expect(log.map { $0["status"]?.stringValue } == ["duplicate", "processed"])
            #expect(log.first?["duplicateOf"] == log.last?["id"])
        }
    }

    @Test("a copy of a message applied before is found by the batch: it is a duplicate, the others are applied together")
    func copyOfAppliedMessage() async throws {
        try await Hub.run { hub in
            let pipeline = try Self.pipeline(hub)
            #expect(await Self.batch(pipeline, [IngestTests.adt("C1", mrn: "COPY-1", trigger: "A04")]).map(\.status) == [.processed])
            let second = await Self.batch(pipeline, [
                IngestTests.adt("C2", mrn: "COPY-2", trigger: "A04"),
                IngestTests.adt("C1", mrn: "COPY-1", family: "Changed", trigger: "A04"),
                IngestTests.adt("C3", mrn: "COPY-3", trigger: "A04"),
            ])
            #expect(second.map(\.code) == ["AA", "AA", "AA"])
            #expect(second.map(\.status) == [.processed, .duplicate, .processed])
            #expect(try await Self.patients(hub, "COPY-1").first?.string("resource.name.0.family") == "Okafor", "not applied twice")
            let times = try await Self.processedAt(hub, ["C2", "C3"])
            #expect(times[0] != nil && Set(times).count == 1, "applied together again: \(times)")
            let copy = try await hub.get("/inbound/messages?control-id=C1&status=duplicate").json["messages"]?.arrayValue ?? []
            #expect(copy.count == 1 && copy.first?["attempts"]?.numberText == "1")
            #expect(try await Self.patients(hub, "COPY-2").count == 1)
            #expect(try await Self.patients(hub, "COPY-3").count == 1)
        }
    }

    @Test("a message the store refuses fails alone: the others of its batch are applied")
    func refusedMessage() async throws {
        try await Hub.run { hub in
            let pipeline = try Self.pipeline(hub)
            let twin = #"{"resourceType":"Patient","identifier":[{"system":"urn:oid:1.2.840.114350","value":"TWIN-1"}]}"#
            for _ in 0..<2 {
                let created = try await hub.send(.post, "/fhir/Patient", body: twin, headers: ["Content-Type": "application/fhir+json"])
                #expect(created.status == 201, "\(created.text)")
            }
            let results = await Self.batch(pipeline, [
                IngestTests.adt("R1", mrn: "REFUSED-1", trigger: "A04"),
                IngestTests.adt("R2", mrn: "TWIN-1", trigger: "A08"),
                IngestTests.adt("R3", mrn: "REFUSED-3", trigger: "A04"),
            ])
            #expect(results.map(\.code) == ["AA", "AE", "AA"])
            #expect(results.map(\.status) == [.processed, .error, .processed])
            #expect(try await Self.processedAt(hub, "R1") != Self.processedAt(hub, "R3"), "applied one by one")
            #expect(try await Self.patients(hub, "REFUSED-1").count == 1)
            #expect(try await Self.patients(hub, "REFUSED-3").count == 1)
            let error = try await hub.get("/inbound/messages?control-id=R2").json["messages"]?.arrayValue?.first
            #expect(error?["error"]?.stringValue?.contains("more than one") == true, "\(String(describing: error))")
        }
    }

    @Test("a sender's sequence is applied in order in batches: later messages see earlier ones, progress is told")
    func sequence() async throws {
        try await Hub.run { hub in
            let pipeline = try Self.pipeline(hub)
            let messages = [
                IngestTests.adt("S1", mrn: "SEQ-1", family: "First", trigger: "A04"),
                IngestTests.adt("S2", mrn: "SEQ-1", family: "Second", trigger: "A08"),
                "MSH|^~\\&|X|Y|||2026||ADT^A01|G1|P|2.5\rPID|1||1^^^A^MR\rbad segment\r",
                IngestTests.adt("S1", mrn: "SEQ-1", family: "Copy", trigger: "A04"),
                IngestTests.adt("S3", mrn: "SEQ-1", family: "Third", trigger: "A08"),
            ]
            var told: [Int] = []
            let outcomes = await pipeline.ingest(sequence: messages.map { Array($0.utf8) }, source: .cli, peer: "file.hl7") {
                told.append($0)
            }
            #expect(outcomes.map(\.status) == [.processed, .processed, .error, .duplicate, .processed])
            #expect(told == [5])
            let found = try await Self.patients(hub, "SEQ-1")
            #expect(found.count == 1 && found.first?.string("resource.name.0.family") == "Third", "applied in order")
            #expect(found.first?.string("resource.meta.versionId") == "3")
            let times = try await Self.processedAt(hub, ["S1", "S2", "S3"])
            #expect(times[0] != nil && Set(times).count == 1, "one transaction: \(times)")
        }
    }

    @Test("a message that fails is not the duplicate of a later one of its batch with its control id")
    func failureBeforeItsLaterCopy() async throws {
        try await Hub.run { hub in
            let pipeline = try Self.pipeline(hub)
            let results = await Self.batch(pipeline, [
                IngestTests.adt("F1", mrn: "FAIL-1", trigger: "Z99"),
                IngestTests.adt("F2", mrn: "FAIL-2", trigger: "A04"),
                IngestTests.adt("F1", mrn: "FAIL-1", trigger: "A04"),
            ])
            #expect(results.map(\.code) == ["AR", "AA", "AA"], "as one by one: the first fails, its corrected copy applies")
            #expect(results.map(\.status) == [.error, .processed, .processed])
            let again = await Self.batch(pipeline, [IngestTests.adt("F1", mrn: "FAIL-1", trigger: "Z99")])
            #expect(again.map(\.status) == [.duplicate], "a copy of the applied one, even unmappable, is its duplicate")
        }
    }
}

/// The batcher on its own: who waits, how batches form, and that every message is answered.
@Suite("Ingest batcher")
struct IngestBatcherTests {
    /// What the batches of a test saw.
    final class Probe: Sendable {
        let batches = Mutex<[[Int]]>([])
        let handedIn = Atomic<Int>(0)
        let running = Mutex((now: 0, most: 0))
        /// The batches (named by their first message) allowed to finish.
        let released = Mutex<Set<Int>>([])
        let answers = Mutex<[Int]>([])

        /// Runs `body` as one batch, counted in `running`.
        func counting(_ body: () async -> Void) async {
            running.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            await body()
            running.withLock { $0.now -= 1 }
        }
    }

    /// Hands in `items` at once and returns their outcomes, in the order they come back.
    static func submitAll(
        _ items: Range<Int>, to batcher: IngestBatcher<Int, Int>, run: @escaping @Sendable ([Int]) async -> [Int]
    ) async -> [Int] {
        await withTaskGroup(of: Int.self) { group in
            for item in items { group.addTask { await batcher.submit(item, run: run) } }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
    }

    @Test("messages handed in while a batch runs wait, and go together in the next batches, up to the batch size")
    func batchesForm() async throws {
        let batcher = IngestBatcher<Int, Int>(maxBatch: 3, maxRunning: 1)
        let probe = Probe()
        let run: @Sendable ([Int]) async -> [Int] = { items in
            probe.batches.withLock { $0.append(items) }
            if items == [0] {
                while probe.handedIn.load(ordering: .relaxed) < 7 { try? await Task.sleep(for: .milliseconds(1)) }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return items.map { $0 * 10 }
        }
        let first = Task { await batcher.submit(0, run: run) }
        while probe.batches.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(1)) }
        let outcomes = await withTaskGroup(of: (Int, Int).self) { group in
            for item in 1..<8 {
                group.addTask {
                    probe.handedIn.add(1, ordering: .relaxed)
                    return (item, await batcher.submit(item, run: run))
                }
            }
            return await group.reduce(into: [(0, await first.value)]) { $0.append($1) }
        }
        #expect(outcomes.count == 8 && outcomes.allSatisfy { $0.1 == $0.0 * 10 })
        let formed = probe.batches.withLock { $0 }
        #expect(formed.first == [0])
        #expect(formed.dropFirst().map(\.count) == [3, 3, 1], "\(formed)")
        #expect(Set(formed.joined()) == Set(0..<8))
    }

    @Test("while a batch runs, another starts only once as many messages wait as the smallest running one holds")
    func anotherBatchWaitsForEnough() async throws {
        let batcher = IngestBatcher<Int, Int>(maxBatch: 8, maxRunning: 2)
        let probe = Probe()
        let run: @Sendable ([Int]) async -> [Int] = { items in
            probe.batches.withLock { $0.append(items) }
            while let first = items.first, !probe.released.withLock({ $0.contains(first) }) {
                try? await Task.sleep(for: .milliseconds(1))
            }
            return items
        }
        let formed = { probe.batches.withLock { $0 } }
        let answered = { probe.answers.withLock { $0 } }
        let submit = { @Sendable (items: Range<Int>) in
            for item in items {
                Task {
                    let outcome = await batcher.submit(item, run: run)
                    probe.answers.withLock { $0.append(outcome) }
                }
            }
        }
        submit(0..<1)
        try await Self.until { formed() == [[0]] }
        submit(1..<2)
        try await Self.until { formed().count == 2 }
        #expect(formed() == [[0], [1]], "one waiting message is as many as the running batch of one holds")
        submit(2..<6)
        try await Self.until { batcher.waitingCount == 4 }
        probe.released.withLock { _ = $0.insert(0) }
        try await Self.until { formed().count == 3 }
        #expect(formed()[2].sorted() == [2, 3, 4, 5], "the first batch done takes the four that waited")
        submit(6..<7)
        try await Self.until { batcher.waitingCount == 1 }
        probe.released.withLock { _ = $0.insert(1) }
        try await Self.until { answered().count == 2 }
        try await Task.sleep(for: .milliseconds(50))
        #expect(formed().count == 3, "one message does not start a batch beside a running batch of four")
        submit(7..<10)
        try await Self.until { formed().count == 4 }
        #expect(formed()[3].sorted() == [6, 7, 8, 9], "four waiting messages start their own batch beside it")
        probe.released.withLock { $0.formUnion([formed()[2].first ?? -1, formed()[3].first ?? -1]) }
        try await Self.until { answered().count == 10 }
        #expect(answered().sorted() == Array(0..<10))
    }

    @Test("a burst handed in at once runs as two batches side by side, not one after the other")
    func burstUsesBothSlots() async throws {
        let batcher = IngestBatcher<Int, Int>(maxBatch: 4, maxRunning: 2)
        let probe = Probe()
        // Each batch waits for a second one to run beside it (for at most five seconds, so that a batcher that never
        // starts one fails instead of hanging).
        let outcomes = await Self.submitAll(0..<12, to: batcher) { items in
            await probe.counting {
                try? await Self.until(within: .seconds(5)) { probe.running.withLock { $0.most } == 2 }
            }
            return items
        }
        #expect(outcomes.sorted() == Array(0..<12))
        #expect(probe.running.withLock { $0.most } == 2, "no message arrived after the burst to start the second batch")
    }

    struct TimedOut: Error {}

    /// Waits until `condition` holds, for at most `limit` (long: other suites running at the same time can keep
    /// this one's tasks waiting for seconds; the limit only keeps a broken batcher from hanging the run).
    static func until(within limit: Duration = .seconds(120), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TimedOut() }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test("no more batches run at once than allowed, and each message is answered with its own outcome")
    func concurrency() async throws {
        let batcher = IngestBatcher<Int, Int>(maxBatch: 4, maxRunning: 2)
        let probe = Probe()
        let outcomes = await Self.submitAll(0..<40, to: batcher) { items in
            await probe.counting { try? await Task.sleep(for: .milliseconds(5)) }
            return items.map { -$0 }
        }
        #expect(outcomes.sorted() == (0..<40).map { -$0 }.sorted(), "each message is answered with its own outcome")
        #expect(probe.running.withLock { $0.most } <= 2)
    }
}
