import Synchronization

/// Gathers the messages that arrive while earlier ones are being applied, so that they share their database
/// round trips: a message handed in while fewer than `maxRunning` batches run starts one at once (alone, when
/// nothing else waits: no message waits for a timer); the others wait, and each running batch, when done, takes
/// up to `maxBatch` of the waiting ones as its next batch. Every message handed in is answered, in the order
/// its batch returns the outcomes.
final class IngestBatcher<Item: Sendable, Outcome: Sendable>: Sendable {
    private struct Waiting: Sendable {
        let item: Item
        let continuation: CheckedContinuation<Outcome, Never>
    }

    private struct State: Sendable {
        var waiting: [Waiting] = []
        var running = 0
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

    /// Hands `item` in and returns its outcome once its batch is done. `run` processes one batch and returns one
    /// outcome per item, in their order; the batches this call starts run with it.
    func submit(_ item: Item, run: @escaping @Sendable ([Item]) async -> [Outcome]) async -> Outcome {
        await withCheckedContinuation { continuation in
            let starts = state.withLock { state -> Bool in
                state.waiting.append(Waiting(item: item, continuation: continuation))
                guard state.running < maxRunning else { return false }
                state.running += 1
                return true
            }
            if starts { Task { await self.drain(run) } }
        }
    }

    /// Runs batches until nothing waits.
    private func drain(_ run: @Sendable ([Item]) async -> [Outcome]) async {
        while let batch = next() {
            let outcomes = await run(batch.map(\.item))
            precondition(outcomes.count == batch.count, "a batch must return one outcome per message")
            for (waiting, outcome) in zip(batch, outcomes) {
                waiting.continuation.resume(returning: outcome)
            }
        }
    }

    /// The next batch, or nil (and one runner fewer) when nothing waits.
    private func next() -> [Waiting]? {
        state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            let batch = Array(state.waiting.prefix(maxBatch))
            state.waiting.removeFirst(batch.count)
            return batch
        }
    }
}
