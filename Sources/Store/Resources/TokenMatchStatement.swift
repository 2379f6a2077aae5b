import PostgresNIO

/// The current resources of a type holding one token, through `carebridge_token_match` (migration 14); with a
/// lock key, when none does, after taking that advisory lock (see `StoreSession.match`).
struct TokenMatchStatement: PostgresPreparedStatement {
    static let name = "carebridge_token_match"
    static let sql = "SELECT carebridge_token_match($1, $2, $3, $4, $5::int, $6::text)"
    typealias Row = String

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

    func decodeRow(_ row: PostgresRow) throws -> String {
        try row.decode(String.self)
    }
}
