import Foundation
import NIOCore
import PostgresNIO

/// The hot read: the current version of one resource, prepared once per connection.
struct ReadCurrentStatement: PostgresPreparedStatement {
    /// Named here: the protocol's default name is `String(reflecting:)` of the type, computed on every execution.
    static let name = "carebridge_read_current"
    static let sql = "SELECT version_id, last_updated, deleted, body FROM resource WHERE resource_type = $1 AND id = $2"
    typealias Row = (Int, Date, Bool, ByteBuffer)

    let type: String
    let id: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(type)
        bindings.append(id)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}

/// A new resource: its current row, its first history row and its token index rows, in one statement.
struct CreateStatement: PostgresPreparedStatement {
    static let name = "carebridge_create"
    static let sql = """
        WITH r AS (
            INSERT INTO resource (resource_type, id, version_id, last_updated, deleted, body)
            VALUES ($1, $2, 1, $3, false, $4)
        ), t AS (
            INSERT INTO search_token (resource_type, id, param, system, code)
            SELECT $1, $2, p, s, c FROM unnest($6::text[], $7::text[], $8::text[]) AS x(p, s, c)
        )
        INSERT INTO resource_history (resource_type, id, version_id, last_updated, method, deleted, body)
        VALUES ($1, $2, 1, $3, $5, false, $4)
        RETURNING 1
        """
    typealias Row = Int

    let type: String
    let id: String
    let now: Date
    let body: String
    let method: String
    let parameters: [String]
    let systems: [String]
    let codes: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 8)
        bindings.append(type)
        bindings.append(id)
        bindings.append(now)
        bindings.append(body)
        bindings.append(method)
        bindings.append(parameters)
        bindings.append(systems)
        bindings.append(codes)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Int.self)
    }
}

/// The next version of a resource, written only if the current version is still `previousVersion`
/// (compare-and-set); returns one row when it was written, none when another writer came first.
struct ReplaceStatement: PostgresPreparedStatement {
    static let name = "carebridge_replace"
    static let sql = """
        WITH u AS (
            UPDATE resource SET version_id = $3, last_updated = $5, deleted = false, body = $6
            WHERE resource_type = $1 AND id = $2 AND version_id = $4
            RETURNING id
        ), d AS (
            DELETE FROM search_token WHERE resource_type = $1 AND id IN (SELECT id FROM u)
        ), t AS (
            INSERT INTO search_token (resource_type, id, param, system, code)
            SELECT $1, u.id, p, s, c FROM u, unnest($8::text[], $9::text[], $10::text[]) AS x(p, s, c)
        )
        INSERT INTO resource_history (resource_type, id, version_id, last_updated, method, deleted, body)
        SELECT $1, $2, $3, $5, $7, false, $6 FROM u
        RETURNING 1
        """
    typealias Row = Int

    let type: String
    let id: String
    let version: Int
    let previousVersion: Int
    let now: Date
    let body: String
    let method: String
    let parameters: [String]
    let systems: [String]
    let codes: [String]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 10)
        bindings.append(type)
        bindings.append(id)
        bindings.append(version)
        bindings.append(previousVersion)
        bindings.append(now)
        bindings.append(body)
        bindings.append(method)
        bindings.append(parameters)
        bindings.append(systems)
        bindings.append(codes)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Int.self)
    }
}
