import Synchronization

/// Current resource rows a transaction has already read while matching conditional criteria
/// (`carebridge_token_match` returns them with the ids), so that the update or read of the match that follows
/// needs no round trip of its own.
///
/// A row is used once: every update and delete starts from the current row (`StoreSession.current`), which
/// takes the kept one, so a row still kept is never older than the transaction's own writes. A row another
/// transaction changed since is caught as a read one statement earlier would be: an update's compare-and-set
/// finds the version moved on and reads again; and an update `keepingUnchanged` that finds its content is the
/// kept row's writes nothing, as it would have had it run when the match did.
final class PrefetchedRows: Sendable {
    private struct Key: Hashable {
        let type: String
        let id: String
    }

    private let rows = Mutex<[Key: (StoredResource, indexDigest: [UInt8]?)]>([:])

    func keep(_ current: StoredResource, indexDigest: [UInt8]?) {
        rows.withLock { $0[Key(type: current.resourceType, id: current.id)] = (current, indexDigest) }
    }

    /// The row kept for `type/id`, which is then no longer kept.
    func take(_ type: String, _ id: String) -> (StoredResource, indexDigest: [UInt8]?)? {
        rows.withLock { $0.removeValue(forKey: Key(type: type, id: id)) }
    }
}
