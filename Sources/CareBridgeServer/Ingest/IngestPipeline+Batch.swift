import Logging
import Store

/// Batches: the messages that arrive while others are being applied (`IngestBatcher`) are logged by one
/// statement and applied in one transaction that ends with one `markApplied` statement for all of them, so a
/// batch of n ADT messages takes about n + 5 round trips and one commit instead of 5n round trips and n commits.
/// Each message is still answered only after the transaction that applied it committed. A batch of one is
/// applied as before batches existed (no lock limit, no batch statements).
///
/// When the batch's transaction fails (one message refused by the store, a copy of an applied message, a lock
/// waited for too long, see `batchLockWait`), it rolls back as a whole and each of its messages is applied alone, exactly as a message arriving
/// alone is: the batch changes how many round trips the messages take, never what becomes of them.
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
        for (message, result) in handled {
            outcomes.append(await finish(message.id, message.received, result))
        }
        return outcomes
    }

    /// Converts and applies logged messages: those that convert together in one transaction when there are
    /// several, each alone otherwise (or when that transaction failed). A message whose sender and control id
    /// an earlier one of the batch has is applied alone after the batch (one statement claims a key once).
    /// Returns one result per message, in their order.
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
        let written = together.count > 1 ? await applyTogether(together, of: messages, in: session) : [:]
        var results: [Result<IngestOutcome, NotApplied>] = []
        for (message, conversion) in zip(messages, conversions) {
            switch conversion {
            case .failure(let failure):
                results.append(.failure(failure))
            case .success(let conversion):
                if let resources = written[results.count] {
                    results.append(.success(applied(message.id, message.received, resources: resources)))
                } else {
                    results.append(await apply(message.id, message.received, conversion, in: session))
                }
            }
        }
        return results
    }

    /// How long a batch's statement waits for a lock before the batch gives up and its messages are applied one
    /// by one (each then waits as long as it takes). Batches take their locks in the order their messages came,
    /// so two batches can deadlock; this ends such a deadlock long before PostgreSQL would notice it.
    static let batchLockWait = Duration.milliseconds(100)

    /// Applies `together` (positions in `messages` and their conversions) in one transaction ending with one
    /// `markApplied` for all; returns the resources each wrote by position, or nothing when the transaction
    /// failed (then rolled back) or found a copy of an applied message among them.
    private func applyTogether(
        _ together: [(position: Int, conversion: Conversion)], of messages: [Logged], in session: StoreSession
    ) async -> [Int: [String]] {
        do {
            return try await session.transaction { session -> [Int: [String]] in
                try await session.limitLockWaits(to: Self.batchLockWait)
                var written: [Int: [String]] = [:]
                var applied: [AppliedInbound] = []
                for (position, conversion) in together {
                    let resources = try await write(conversion, in: session)
                    written[position] = resources
                    let message = messages[position]
                    applied.append(AppliedInbound(id: message.id, header: message.received.inbound, resources: resources))
                }
                if let holder = try await session.markApplied(applied).values.first {
                    throw AppliedBefore(holder: holder)
                }
                return written
            }
        } catch {
            logger.debug("ingest batch rolled back; its messages are applied one by one", metadata: [
                "messages": "\(together.count)", "error": "\(error)",
            ])
            return [:]
        }
    }
}
