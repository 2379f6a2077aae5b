import Synchronization

/// Current resource rows a transaction has already read while matching conditional criteria
/// (`carebridge_token_match` returns them with the ids), so that the update of the match that follows needs no
/// round trip of its own, and the answer of a conditional create that matched (`StoreSession.readMatched`).
/// Reads (`StoreSession.read`) do not use them: a read answers with the row as it is.
///
/// A row is used once: every update and delete starts from the current row (`StoreSession.current`), which takes
/// the kept one, and a create of a taken id fails, so a row still kept is never older than the transaction's own
/// writes. A row another transaction changed since the match (a Bundle matches all its
/// entries before writing any) is caught by the update's compare-and-set, which reads again; and an update
/// `keepingUnchanged` whose content is the kept row's writes nothing, as it would have had it run when the match
/// did.
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
