import Authorization
import FHIRCore
import Foundation
import HL7v2
import Logging
import Mapping
import Store
import Webhooks

/// What became of one inbound message, and the acknowledgement to send back.
public struct IngestOutcome: Sendable {
    /// The inbound log id; nil only when the message could not even be stored.
    public var logID: Int64?
    public var status: InboundStatus
    /// The original-mode ACK (`AA` only after the changes committed).
    public var acknowledgement: HL7Message
    /// The `Type/id` of the resources written.
    public var resources: [String]
    /// Why the message was not applied.
    public var error: String?

    /// The ACK as bytes (standard delimiters, UTF-8).
    public var acknowledgementBytes: [UInt8] { Array(HL7Encoder().encode(acknowledgement).utf8) }
}

/// Turns received HL7v2 messages into stored FHIR resources (issue 4): every message is stored raw in the
/// inbound log first (its own commit), then converted by the mappings into a transaction Bundle that is applied
/// in one database transaction together with the log's `processed` status, so an `AA` is only ever sent for
/// changes that are committed. A message whose sender and control id were already processed is acknowledged
/// again without being applied twice.
public struct IngestPipeline: Sendable {
    let store: ResourceStore
    /// Applies the transactions; an update that changes nothing keeps the current version (`keepingUnchanged`).
    let handler: RestHandler
    let mappings: MappingLibrary
    /// The FHIR base the transaction runs under (it only shapes `Location`s).
    let base: String
    /// Where each message's outcome is recorded; nil records nothing.
    let audit: AuditTrail?
    let logger: Logger
    /// Gathers the messages arriving together into batches that share their database round trips.
    let batcher: IngestBatcher<Arrival, IngestOutcome>

    /// A pipeline applying up to `batchSize` messages that arrive together in one transaction, with at most
    /// `concurrentBatches` such transactions at once (see `IngestPipeline+Batch`).
    public init(
        store: ResourceStore, handler: RestHandler, mappings: MappingLibrary, base: String = "urn:carebridge:fhir",
        audit: AuditTrail? = nil, batchSize: Int = 64, concurrentBatches: Int = 2, logger: Logger
    ) {
        self.store = store
        self.handler = handler.keepingUnchanged()
        self.mappings = mappings
        self.base = base
        self.audit = audit
        self.logger = logger
        self.batcher = IngestBatcher(maxBatch: batchSize, maxRunning: concurrentBatches)
    }

    /// Loads the subscriptions, so that changes made before the hub's own refresh (the CLI's) fire events too.
    public func loadSubscriptions() async throws {
        try await handler.subscriptions?.refresh(using: store)
    }

    /// The messages of a file or request body: each message of a batch (FHS/BHS) or of a stream of messages,
    /// or the whole input when it does not read as messages (so that the pipeline logs it and says why).
    public static func messages(in bytes: [UInt8]) -> [[UInt8]] {
        guard let batch = try? HL7Batch(parsing: bytes) else { return [bytes] }
        let messages = batch.messages.compactMap { try? HL7Encoder().encodeBytes($0) }
        return messages.count > 1 ? messages : [bytes]
    }

    /// Stores, converts and applies one message (ER7, HL7 v2.xml, C-CDA or a vendor XML format); `format` forces
    /// the XML lab format instead of detecting it. The outcome is audited as the work of `grant` (the hub itself
    /// for MLLP and the CLI) from `remoteAddress`. Messages ingested at the same moment (several MLLP
    /// connections) are logged and applied in batches (`IngestPipeline+Batch`).
    public func ingest(
        _ raw: [UInt8], source: InboundSource, peer: String? = nil, format: XMLFeedKind? = nil, grant: AccessGrant = .hub,
        remoteAddress: String? = nil
    ) async -> IngestOutcome {
        let received = Received(raw, feeds: mappings.feeds, format: format)
        let arrival = Arrival(raw: raw, received: received, source: source, peer: peer)
        let outcome = await batcher.submit(arrival) { arrivals in await logAndApply(arrivals) }
        audit(outcome, header: received.inbound, source: source, grant: grant, remoteAddress: remoteAddress)
        return outcome
    }

    /// The `AE` for a message that could not be stored.
    func notStored(_ received: Received, _ error: any Error) -> IngestOutcome {
        logger.error("inbound message not stored", metadata: ["error": "\(error)"])
        let problem = HL7Acknowledgement.Problem(code: "207", message: "The message could not be stored; send it again")
        return outcome(nil, .error, received.header, code: .error, problem: problem)
    }

    /// Processes logged message `id` again (after a mapping was fixed): its raw bytes are read back, converted
    /// and applied as when it arrived. Nil when there is no such message. Audited as the work of `grant`.
    public func replay(_ id: Int64, grant: AccessGrant = .hub, remoteAddress: String? = nil) async throws -> IngestOutcome? {
        let replayed: (Received, Result<IngestOutcome, NotApplied>)? = try await store.withSession(
            onConnectionThread: true
        ) { session in
            guard let stored = try await session.inboundMessage(id) else { return nil }
            let received = Received(stored.raw, feeds: mappings.feeds)
            return (received, await handle(id, received, in: session))
        }
        guard let (received, handled) = replayed else { return nil }
        let outcome = await finish(id, received, handled)
        audit(outcome, header: received.inbound, source: .replay, grant: grant, remoteAddress: remoteAddress)
        return outcome
    }

    /// The outcome of message `id`, once a failure to apply it is recorded (`later` as for `notApplied`).
    func finish(
        _ id: Int64, _ received: Received, _ handled: Result<IngestOutcome, NotApplied>, later: Set<Int64> = []
    ) async -> IngestOutcome {
        switch handled {
        case .success(let outcome): outcome
        case .failure(let failure): await notApplied(id, received, failure, later: later)
        }
    }

    /// Applies logged message `id`, or says why it cannot be read or applied.
    func handle(_ id: Int64, _ received: Received, in session: StoreSession) async -> Result<IngestOutcome, NotApplied> {
        switch converted(id, received) {
        case .success(let conversion): await apply(id, received, conversion, in: session)
        case .failure(let failure): .failure(failure)
        }
    }

    /// What a message is converted into: the transaction Bundle (read for applying, or why it cannot be), and the
    /// Patient merge it asks for.
    struct Conversion: Sendable {
        var transaction: Result<PreparedTransaction, any Error>
        var merge: PatientMerge?
    }

    /// `bundle` and `merge` as a conversion, the Bundle read once for the look-up ahead and for applying.
    private func conversion(_ bundle: FHIRResource, merge: PatientMerge?) -> Conversion {
        let processor = BundleProcessor(handler: handler)
        return Conversion(transaction: Result { try processor.prepareTransaction(bundle) }, merge: merge)
    }

    /// The conversion of logged message `id` by the current mappings, or why it cannot be read or converted.
    func converted(_ id: Int64, _ received: Received) -> Result<Conversion, NotApplied> {
        switch received.content {
        case .hl7(.success(let message)):
            let context = MappingContext(receivedAt: Date(), messageID: String(id))
            do {
                let result = try mappings.current.convert(message, context: context)
                return .success(conversion(result.bundle, merge: result.merge))
            } catch {
                return .failure(NotApplied(error))
            }
        case .lab(.success(let result)):
            return .success(conversion(result.bundle, merge: nil))
        case .hl7(.failure(let error)):
            return .failure(NotApplied(problem: Self.problem(error), code: .reject))
        case .lab(.failure(let error)):
            return .failure(NotApplied(error))
        case .unreadableXML(let reason):
            return .failure(NotApplied(problem: .init(code: "100", message: reason), code: .reject))
        }
    }

    /// Applies `conversion` in the current transaction of `session` and returns the `Type/id`s it wrote;
    /// `lookingAhead` unless the caller looked up its criteria with those of other messages.
    func write(_ conversion: Conversion, in session: StoreSession, lookingAhead: Bool) async throws -> [String] {
        var written = try await BundleProcessor(handler: handler).applyTransaction(
            try conversion.transaction.get(), in: session, base: base, lookingAhead: lookingAhead)
        if let merge = conversion.merge {
            written += try await PatientMerger(registry: handler.registry).merge(merge, in: session)
        }
        return written
    }

    /// Thrown inside the transaction of a message whose sender and control id another message was applied
    /// under, to roll back what it wrote.
    struct AppliedBefore: Error, CustomStringConvertible {
        let holder: Int64
        var description: String { "the sender and control id were applied by message \(holder)" }
    }

    /// Applies a converted message in one transaction, which ends by recording it `processed` and claiming
    /// its sender and control id (or document id) for it in one statement (`markApplied`). When another message
    /// holds them, the transaction rolls back and the message is marked a duplicate of that one.
    ///
    /// Claiming last rather than first saves a round trip per message; a copy of an applied message is then
    /// converted and applied before it is found to be one, and what it wrote is rolled back. A copy applied at
    /// the same moment waits at the claim for the other's commit, and so is found to be one too.
    func apply(
        _ id: Int64, _ received: Received, _ conversion: Conversion, in session: StoreSession
    ) async -> Result<IngestOutcome, NotApplied> {
        let inbound = received.inbound
        do {
            let resources = try await session.transaction { session -> [String] in
                let written = try await write(conversion, in: session, lookingAhead: true)
                if let holder = try await session.markApplied(id, header: inbound, resources: written) {
                    throw AppliedBefore(holder: holder)
                }
                return written
            }
            return .success(applied(id, received, resources: resources))
        } catch {
            return .failure(NotApplied(applying: error, logger: logger))
        }
    }

    /// The outcome of message `id`, applied with `resources` written.
    func applied(_ id: Int64, _ received: Received, resources: [String]) -> IngestOutcome {
        outcome(id, .processed, received.header, code: .accept, resources: resources)
    }

    /// Why a logged message was not applied: the ERR content, the acknowledgement code, and whether it may be a
    /// copy of a message that was (see `notApplied`).
    struct NotApplied: Error {
        var problem: HL7Acknowledgement.Problem
        var code: HL7Acknowledgement.Code
        var findingDuplicates = false
    }

    /// Records why message `id` was not applied and answers with the failure's code, in a transaction of its own
    /// on a connection of its own, taken after the processing one went back to the pool (that one may be what
    /// failed, and holding it while waiting for another could exhaust the pool). With `findingDuplicates`, a
    /// message whose sender and control id another message holds is instead marked a duplicate of it and
    /// acknowledged `AA`, as when it was claimed before being applied: a copy of an applied message is not
    /// applied again, whether or not applying it would fail now. The claim taken to find out
    /// waits for a copy being applied at the same moment, and is given up again (`releaseInbound`, which also
    /// gives up the claim a replayed message kept from being applied before). A holder among `later` (the messages
    /// after this one in its batch, recorded only once the whole batch was applied) does not make it a duplicate:
    /// alone, this one would have failed before they came. A failure to record is logged.
    func notApplied(_ id: Int64, _ received: Received, _ failure: NotApplied, later: Set<Int64> = []) async -> IngestOutcome {
        let inbound = received.inbound
        do {
            let holder = try await store.withTransaction(onConnectionThread: true) { session -> Int64? in
                if failure.findingDuplicates, let holder = try await session.claimInbound(inbound, id: id), !later.contains(holder) {
                    try await session.markInbound(id, status: .duplicate, duplicateOf: holder)
                    return holder
                }
                try await session.releaseInbound(id)
                try await session.markInbound(id, status: .error, error: failure.problem.message)
                return nil
            }
            if holder != nil { return outcome(id, .duplicate, received.header, code: .accept) }
        } catch {
            logger.error("inbound message status not recorded", metadata: ["id": "\(id)", "error": "\(error)"])
        }
        return outcome(id, .error, received.header, code: failure.code, problem: failure.problem)
    }

    private func outcome(
        _ id: Int64?, _ status: InboundStatus, _ header: HL7Acknowledgement.Header, code: HL7Acknowledgement.Code,
        problem: HL7Acknowledgement.Problem? = nil, resources: [String] = []
    ) -> IngestOutcome {
        let ack = HL7Acknowledgement.make(
            for: header, code: code, problem: problem, controlID: "CB" + (id.map(String.init) ?? UUID().uuidString.prefix(8).lowercased()))
        return IngestOutcome(logID: id, status: status, acknowledgement: ack, resources: resources, error: problem?.message)
    }

    static func inboundHeader(_ header: HL7Acknowledgement.Header, message: HL7Message?) -> InboundHeader {
        let type = [message?.messageType, message?.triggerEvent].compactMap { $0 }.joined(separator: "^")
        return InboundHeader(
            sendingApplication: header.sendingApplication, sendingFacility: header.sendingFacility,
            controlID: header.controlID, messageType: type)
    }

    /// The ERR content for a message that does not parse.
    static func problem(_ error: HL7ParseError) -> HL7Acknowledgement.Problem {
        .init(code: "100", segment: error.segmentID, occurrence: nil, field: error.field, message: error.description)
    }
}

extension IngestPipeline.NotApplied {
    /// A mapping failure: `AR` for a message type no mapping handles, `AE` otherwise; the message may be a copy.
    init(_ error: MappingError) {
        let unsupported = error.kind == .unsupportedMessageType
        let problem = HL7Acknowledgement.Problem(
            code: unsupported ? "200" : "207", segment: error.segment, occurrence: error.occurrence, field: error.field,
            message: error.description)
        self.init(problem: problem, code: unsupported ? .reject : .error, findingDuplicates: true)
    }

    /// A failure to apply a converted message (a copy of an applied one, or refused by the store): `AE`; the
    /// message may be a copy.
    init(applying error: any Error, logger: Logger) {
        let reason = error is IngestPipeline.AppliedBefore
            ? "\(error)"
            : RestHandler.fhirError(error, logger: logger).outcome.issues.map(\.diagnostics).joined(separator: "; ")
        self.init(problem: .init(code: "207", message: reason), code: .error, findingDuplicates: true)
    }
}
