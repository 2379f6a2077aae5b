import Foundation
import NIOCore
import PostgresNIO

/// The current rows of the resources of a type holding one token, through `carebridge_token_match` (migrations
/// 14 and 15); with a lock key, when none does, after taking that advisory lock (see `StoreSession.match`).
struct TokenMatchStatement: PostgresPreparedStatement {
    static let name = "carebridge_token_match_rows"
    static let sql = "SELECT * FROM carebridge_token_match($1, $2, $3, $4, $5::int, $6::text)"
    /// Id, version, last updated, body and index digest.
    typealias Row = (String, Int, Date, ByteBuffer, ByteBuffer?)

    let type: String
    let token: SearchQuery.SoleToken
    let limit: Int
    let lockKey: String?

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 6)
        bindings.append(type)
        bindings.append(token.parameter)
        bindings.append(token.system)
        bindings.append(token.code)
        bindings.append(limit)
        bindings.append(lockKey)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}

/// The current rows of the resources holding each of many tokens, through `carebridge_token_matches` (migration
/// 18): for the tokens nothing holds, after taking their locks (`lockKeys`) and looking again. Each row names the
/// position of its token in `keys`. With a lock wait, the function first sets the transaction's `lock_timeout`
/// (`StoreSession.limitLockWaits`), saving that round trip, and bounding its own waits for the locks.
struct TokenMatchesStatement: PostgresPreparedStatement {
    static let name = "carebridge_token_matches_locking"
    static let sql = "SELECT * FROM carebridge_token_matches($1, $2, $3, $4, $5, $6::int, $7::text)"
    /// Position (1-based), id, version, last updated, body and index digest.
    typealias Row = (Int, String, Int, Date, ByteBuffer, ByteBuffer?)

    let keys: [TokenKey]
    /// The name of each key's lock (`StoreSession.lockKey`), in the same order.
    let lockKeys: [String]
    let limit: Int
    /// The transaction's new `lock_timeout` (`100ms`), or nil to leave it.
    let lockWait: String?

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 7)
        bindings.append(keys.map(\.type))
        bindings.append(keys.map(\.token.parameter))
        bindings.append(keys.map(\.token.system))
        bindings.append(keys.map(\.token.code))
        bindings.append(lockKeys)
        bindings.append(limit)
        bindings.append(lockWait)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}

/// A single-token criterion of a resource type: what `carebridge_token_match` looks up.
struct TokenKey: Hashable {
    let type: String
    let token: SearchQuery.SoleToken
}
