import Authorization
import Logging
import Store

/// Batches: the messages that arrive while others are being applied (`IngestBatcher`) are logged by one
/// statement and applied in one transaction that ends with one `markApplied` statement for all of them, so a
/// batch of n ADT messages takes about n + 5 round trips and one commit instead of 5n round trips and n commits.
/// Each message is still answered only after the transaction that applied it committed. A batch of one is
/// applied as before batches existed (no lock limit, no batch statements).
///
/// When the batch's transaction fails (one message refused by the store, a lock waited for too long, see
/// `batchLockWait`), it rolls back as a whole and each of its messages is applied alone, exactly as a message
/// arriving alone is: the batch changes how many round trips the messages take, never what becomes of them.
/// Copies of applied messages (a sender sending again what it sent before) are named by the batch's `markApplied`:
/// the transaction rolls back, they are answered as duplicates without being applied again, and the others are
/// applied together once more.
extension IngestPipeline {
    /// A message handed to the pipeline: read, not yet logged.
    struct Arrival: Sendable {
        let raw: [UInt8]
        let received: Received
        let source: InboundSource
        let peer: String?
    }

    /// A logged message.
    struct Logged: Sendable {
        let id: Int64
        let received: Received
    }

    /// Stores, converts and applies the messages of one sender's sequence (a file, a batch) in their order, up to
    /// the batch size at a time logged by one statement and applied in one transaction, which makes a long file
    /// many times quicker than message by message. Each message ends as it would alone (a batch that fails is
    /// applied one by one, in order), and only a copy of an earlier message of the same batch, which is not applied
    /// anyway, is looked at after the others. `progress` is told how many are done after each batch. Audited as
    /// `ingest(_:source:peer:format:grant:remoteAddress:)` does; returns the outcomes in order.
    public func ingest(
        sequence messages: [[UInt8]], source: InboundSource, peer: String? = nil, grant: AccessGrant = .hub,
        remoteAddress: String? = nil, progress: (_ done: Int) -> Void = { _ in }
    ) async -> [IngestOutcome] {
        var outcomes: [IngestOutcome] = []
        var start = 0
        while start < messages.count {
            let batch = messages[start..<min(start + batcher.maxBatch, messages.count)].map { raw in
                Arrival(raw: raw, received: Received(raw, feeds: mappings.feeds), source: source, peer: peer)
            }
            for (arrival, outcome) in zip(batch, await logAndApply(batch)) {
                audit(outcome, header: arrival.received.inbound, source: source, grant: grant, remoteAddress: remoteAddress)
                outcomes.append(outcome)
            }
            start += batch.count
            progress(start)
        }
        return outcomes
    }

    /// Logs `arrivals` (one statement, its own commit), then applies them, both on one connection and on its
    /// event loop (see `ResourceStore.withSession(onConnectionThread:)`); failures are recorded after that
    /// connection went back to the pool (`notApplied`). Returns one outcome per arrival, in their order.
    func logAndApply(_ arrivals: [Arrival]) async -> [IngestOutcome] {
        let handled: [(Logged, Result<IngestOutcome, NotApplied>)]
        do {
            handled = try await store.withSession(onConnectionThread: true) { session in
                let ids = try await session.recordInbound(arrivals.map {
                    ArrivedInbound(raw: $0.raw, source: $0.source, peer: $0.peer, header: $0.received.inbound)
                })
                let logged = zip(ids, arrivals).map { Logged(id: $0, received: $1.received) }
                return Array(zip(logged, await handle(logged, in: session)))
            }
        } catch {
            return arrivals.map { notStored($0.received, error) }
        }
        var outcomes: [IngestOutcome] = []
        for (position, (message, result)) in handled.enumerated() {
            let later = Set(handled[(position + 1)...].map(\.0.id))
            outcomes.append(await finish(message.id, message.received, result, later: later))
        }
        return outcomes
    }

    /// Converts and applies logged messages: those that convert together in one transaction when there are
    /// several (again without the copies of applied messages it found), each alone otherwise (or when that
    /// transaction failed). A message whose sender and control id an earlier one of the batch has is applied alone
    /// after the batch (one statement claims a key once). Returns one result per message, in their order.
    private func handle(_ messages: [Logged], in session: StoreSession) async -> [Result<IngestOutcome, NotApplied>] {
        let conversions = messages.map { converted($0.id, $0.received) }
        var together: [(position: Int, conversion: Conversion)] = []
        var keys: Set<InboundHeader> = []
        for (position, conversion) in conversions.enumerated() {
            guard case .success(let conversion) = conversion else { continue }
            var key = messages[position].received.inbound
            key.messageType = ""
            if key.controlID.isEmpty || keys.insert(key).inserted { together.append((position, conversion)) }
        }
        var written: [Int: [String]] = [:]
        var copies: [Int: Int64] = [:]
        if together.count > 1 {
            switch await applyTogether(together, of: messages, in: session) {
            case .applied(let resources):
                written = resources
            case .copies(let found):
                copies = found
                together.removeAll { found[$0.position] != nil }
                if together.count > 1, case .applied(let resources) = await applyTogether(together, of: messages, in: session) {
                    written = resources
                }
            case .failed:
                break
            }
        }
        var results: [Result<IngestOutcome, NotApplied>] = []
        for (position, (message, conversion)) in zip(messages, conversions).enumerated() {
            switch conversion {
            case .failure(let failure):
                results.append(.failure(failure))
            case .success(let conversion):
                if let resources = written[position] {
                    results.append(.success(applied(message.id, message.received, resources: resources)))
                } else if let holder = copies[position] {
                    results.append(.failure(NotApplied(applying: AppliedBefore(holder: holder), logger: logger)))
                } else {
                    results.append(await apply(message.id, message.received, conversion, in: session))
                }
            }
        }
        return results
    }

    /// How long a batch's statement waits for a lock before the batch gives up and its messages are applied one
    /// by one (each then waits as long as it takes). The locks of single-token criteria nothing matches are taken
    /// together first, in a fixed order, but rows (and other criteria's locks) are locked in the order the messages
    /// came, so two batches can still deadlock; this ends such a deadlock long before PostgreSQL would notice it.
    static let batchLockWait = Duration.milliseconds(100)

    /// What became of a batch's transaction.
    private enum Together {
        /// Committed: the resources each message wrote, by position.
        case applied([Int: [String]])
        /// Rolled back because these messages (by position) are copies of ones applied before (by log id).
        case copies([Int: Int64])
        /// Rolled back for another reason.
        case failed
    }

    /// Applies `together` (positions in `messages` and their conversions) in one transaction ending with one
    /// `markApplied` for all. Copies of applied messages found by it, as every failure, roll the transaction back.
    private func applyTogether(
        _ together: [(position: Int, conversion: Conversion)], of messages: [Logged], in session: StoreSession
    ) async -> Together {
        struct CopiesFound: Error {
            let holders: [Int: Int64]
        }
        do {
            return .applied(try await session.transaction { session -> [Int: [String]] in
                try await session.prefetchMatches(
                    together.flatMap { (try? $0.conversion.transaction.get())?.lookups ?? [] }, limitingLockWaitsTo: Self.batchLockWait)
                var written: [Int: [String]] = [:]
                var applied: [AppliedInbound] = []
                for (position, conversion) in together {
                    let resources = try await write(conversion, in: session, lookingAhead: false)
                    written[position] = resources
                    let message = messages[position]
                    applied.append(AppliedInbound(id: message.id, header: message.received.inbound, resources: resources))
                }
                let taken = try await session.markApplied(applied)
                guard taken.isEmpty else {
                    let positions = Dictionary(uniqueKeysWithValues: together.map { (messages[$0.position].id, $0.position) })
                    throw CopiesFound(holders: Dictionary(taken.compactMap { id, holder in positions[id].map { ($0, holder) } }) { $1 })
                }
                return written
            })
        } catch let found as CopiesFound {
            return .copies(found.holders)
        } catch {
            logger.debug("ingest batch rolled back; its messages are applied one by one", metadata: [
                "messages": "\(together.count)", "error": "\(error)",
            ])
            return .failed
        }
    }
}
