import FHIRProfiles
import Foundation
import NIOCore
import Synchronization

/// Current resource rows a transaction has already read while matching conditional criteria
/// (`carebridge_token_match` returns them with the ids), so that the update of the match that follows needs no
/// round trip of its own, and the answer of a conditional create that matched (`StoreSession.readMatched`); and
/// what single-token criteria looked up ahead matched (`StoreSession.prefetchMatches`), until a write of the
/// transaction may change it.
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
    /// The ids single-token criteria matched when the transaction looked them up ahead (`prefetchMatches`), kept
    /// while the transaction's own writes cannot have changed what they match (see `forgetMatches`). No ids: none
    /// matched, and the transaction holds the criteria's lock (`StoreSession.lockKey`).
    private let matches = Mutex<[TokenKey: [String]]>([:])

    func keep(_ current: StoredResource, indexDigest: [UInt8]?) {
        rows.withLock { $0[Key(type: current.resourceType, id: current.id)] = (current, indexDigest) }
    }

    /// Keeps the current row of `type/id` as a look-up statement returns it (body and index digest as read).
    func keepCurrent(
        _ type: String, id: String, version: Int, lastUpdated: Date, body: ByteBuffer, indexDigest: ByteBuffer?
    ) {
        let current = StoredResource(
            resourceType: type, id: id, versionId: version, lastUpdated: lastUpdated, deleted: false, body: body)
        keep(current, indexDigest: indexDigest.map { Array($0.readableBytesView) })
    }

    func keepMatch(_ key: TokenKey, ids: [String]) {
        matches.withLock { $0[key] = ids }
    }

    /// The ids `key` matched when it was looked up ahead, unless a write since may have changed them.
    func match(_ key: TokenKey) -> [String]? {
        matches.withLock { $0[key] }
    }

    /// Forgets the matches a write of `type/id` can change: those that list it (it may no longer hold their token)
    /// and those of the tokens its new version holds (`tokens`, none for a deletion: it may now match them). A
    /// criterion that listed two resources, neither of them this one, still matches more than one.
    func forgetMatches(of type: String, id: String, tokens: [SearchIndexEntries.Token]) {
        let held = Set(tokens.map { TokenKey(type: type, token: .init(parameter: $0.parameter, system: $0.system, code: $0.code)) })
        matches.withLock { kept in
            kept = kept.filter { key, ids in key.type != type || (!held.contains(key) && !ids.contains(id)) }
        }
    }

    /// The row kept for `type/id`, which is then no longer kept.
    func take(_ type: String, _ id: String) -> (StoredResource, indexDigest: [UInt8]?)? {
        rows.withLock { $0.removeValue(forKey: Key(type: type, id: id)) }
    }
}
