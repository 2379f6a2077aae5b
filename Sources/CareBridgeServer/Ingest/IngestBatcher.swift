import Synchronization

/// Gathers the messages that arrive while earlier ones are being applied, so that they share their database
/// round trips. A message handed in when no batch runs starts one at once (alone, when nothing else waits: no
/// message waits for a timer). While one runs, another starts (up to `maxRunning`) only once as many messages
/// wait as the smallest running batch holds, so that batches stay about equally large instead of a second batch
/// taking the one message that arrived first: each batch costs its round trips whatever its size (on two cores,
/// 8 MLLP connections ingest ADT^A08 ~10% faster and with less CPU per message, see Benchmarks/README.md). The
/// price: while fewer messages wait than a running batch holds, they wait for a batch to finish even when another
/// could start, so a slow batch (a very large message, a lock) delays them. A running batch, when done, takes up
/// to `maxBatch` of the waiting messages as its next batch, unless another batch still running will take them.
/// Every message handed in is answered, in the order its batch returns the outcomes.
final class IngestBatcher<Item: Sendable, Outcome: Sendable>: Sendable {
    private struct Waiting: Sendable {
        let item: Item
        let continuation: CheckedContinuation<Outcome, Never>
    }

    private struct State: Sendable {
        var waiting: [Waiting] = []
        /// Runners: tasks that take batches until none is left for them.
        var running = 0
        /// The sizes of the batches being run now.
        var sizes: [Int] = []

        /// Whether the waiting messages are enough for a batch of their own beside those running.
        var enoughForAnother: Bool {
            guard let smallest = sizes.min() else { return running == 0 }
            return waiting.count >= smallest
        }
    }

    /// The most messages in one batch.
    let maxBatch: Int
    /// The most batches running at once.
    let maxRunning: Int
    private let state = Mutex(State())

    init(maxBatch: Int, maxRunning: Int) {
        self.maxBatch = max(1, maxBatch)
        self.maxRunning = max(1, maxRunning)
    }

    /// How many messages wait for a batch.
    var waitingCount: Int {
        state.withLock { $0.waiting.count }
    }

    /// Hands `item` in and returns its outcome once its batch is done. `run` processes one batch and returns one
    /// outcome per item, in their order; the batches this call starts run with it.
    func submit(_ item: Item, run: @escaping @Sendable ([Item]) async -> [Outcome]) async -> Outcome {
        await withCheckedContinuation { continuation in
            let starts = state.withLock { state -> Bool in
                state.waiting.append(Waiting(item: item, continuation: continuation))
                guard state.running < maxRunning, state.enoughForAnother else { return false }
                state.running += 1
                return true
            }
            if starts { Task { await self.drain(run) } }
        }
    }

    /// Runs batches until none is left for this runner; starts another runner when the messages left waiting
    /// after it took a batch are enough for a batch of their own (a burst handed in at once, with no later
    /// message to start one).
    private func drain(_ run: @escaping @Sendable ([Item]) async -> [Outcome]) async {
        var done: Int?
        while let (batch, another) = next(after: done) {
            if another { Task { await self.drain(run) } }
            let outcomes = await run(batch.map(\.item))
            precondition(outcomes.count == batch.count, "a batch must return one outcome per message")
            for (waiting, outcome) in zip(batch, outcomes) {
                waiting.continuation.resume(returning: outcome)
            }
            done = batch.count
        }
    }

    /// The next batch of a runner whose last batch (of `done` messages) has just been answered, and whether
    /// another runner is to start for what still waits; nil (and one runner fewer) when nothing waits or the
    /// batches still running will take what waits.
    private func next(after done: Int?) -> (batch: [Waiting], another: Bool)? {
        state.withLock { state in
            if let done, let position = state.sizes.firstIndex(of: done) { state.sizes.remove(at: position) }
            guard !state.waiting.isEmpty, state.enoughForAnother || state.running == 1 else {
                state.running -= 1
                return nil
            }
            let batch = Array(state.waiting.prefix(maxBatch))
            state.waiting.removeFirst(batch.count)
            state.sizes.append(batch.count)
            let another = state.running < maxRunning && !state.waiting.isEmpty && state.enoughForAnother
            if another { state.running += 1 }
            return (batch, another)
        }
    }
}
