import FHIRProfiles
import Foundation
import NIOCore
import PostgresNIO

/// The hot read: the current version of one resource, prepared once per connection, and the digest of its index
/// rows (`SearchIndexEntries.digest`), which an update compares with its new rows' digest.
struct ReadCurrentStatement: PostgresPreparedStatement {
    /// Named here: the protocol's default name is `String(reflecting:)` of the type, computed on every execution.
    static let name = "carebridge_read_current"
    static let sql = """
        SELECT version_id, last_updated, deleted, body, index_digest FROM resource WHERE resource_type = $1 AND id = $2
        """
    typealias Row = (Int, Date, Bool, ByteBuffer, ByteBuffer?)

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

/// A new resource: its current row, its first history row and its search index rows, in one statement.
///
/// Returns one row when it was written, none when the id is taken. A taken id is not an error inside the
/// database (`ON CONFLICT DO NOTHING`), so an enclosing transaction stays usable: update-as-create can then
/// read the winner's row and update it instead of failing with "current transaction is aborted".
struct CreateStatement: CountingStatement {
    static let name = "carebridge_create"
    static let sql = """
        WITH r AS (
            INSERT INTO resource (resource_type, id, version_id, last_updated, deleted, body, index_digest)
            VALUES ($1, $2, 1, $3, false, $4, $30)
            ON CONFLICT (resource_type, id) DO NOTHING
            RETURNING id
        )\(SearchIndexSQL.insertCTEs(first: 6, type: "$1", id: "r.id", from: "r,"))
        INSERT INTO resource_history (resource_type, id, version_id, last_updated, method, deleted, body)
        SELECT $1, $2, 1, $3, $5, false, $4 FROM r
        RETURNING 1
        """

    let type: String
    let id: String
    let now: Date
    let body: String
    let method: String
    let entries: SearchIndexEntries

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 6 + SearchIndexSQL.parameterCount)
        bindings.append(type)
        bindings.append(id)
        bindings.append(now)
        bindings.append(body)
        bindings.append(method)
        SearchIndexSQL.append(entries, to: &bindings)
        bindings.append(ByteBuffer(bytes: entries.digest))
        return bindings
    }
}

/// What every write of a next version binds first, as `$1` to `$7`: the resource, its new and its current
/// version number, the time, the body and the interaction.
struct NextVersion: Sendable {
    let type: String
    let id: String
    let version: Int
    let previousVersion: Int
    let now: Date
    let body: String
    let method: String

    func append(to bindings: inout PostgresBindings) {
        bindings.append(type)
        bindings.append(id)
        bindings.append(version)
        bindings.append(previousVersion)
        bindings.append(now)
        bindings.append(body)
        bindings.append(method)
    }
}

/// The next version of a resource, written only if the current version is still `previousVersion`
/// (compare-and-set), with its index rows; returns one row when it was written, none when another writer came first.
///
/// By default every index table is compared with the new rows. With `currentDigest` (the digest of the rows the
/// current body gives, which are then the stored rows), the write also requires the stored rows to still have
/// that digest, and only the tables `changed` names (one flag per table, in `SearchIndexSQL.tables` order) are
/// compared; a reindex in between makes it write nothing, as another writer would.
struct ReplaceStatement: CountingStatement {
    static let name = "carebridge_replace"
    static let sql = """
        WITH u AS (
            UPDATE resource SET version_id = $3, last_updated = $5, deleted = false, body = $6, index_digest = $9
            WHERE resource_type = $1 AND id = $2 AND version_id = $4
              AND ($8::bytea IS NULL OR (NOT deleted AND index_digest = $8))
            RETURNING resource_type, id
        )\(SearchIndexSQL.replaceCTEs(first: 17, of: "u", type: "$1", id: "$2", changed: 10))
        INSERT INTO resource_history (resource_type, id, version_id, last_updated, method, deleted, body)
        SELECT $1, $2, $3, $5, $7, false, $6 FROM u
        RETURNING 1
        """

    let next: NextVersion
    let entries: SearchIndexEntries
    let digest: [UInt8]
    var currentDigest: [UInt8]? = nil
    var changed = Array(repeating: true, count: SearchIndexSQL.tables.count)

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 16 + SearchIndexSQL.parameterCount)
        next.append(to: &bindings)
        bindings.append(currentDigest.map { ByteBuffer(bytes: $0) })
        bindings.append(ByteBuffer(bytes: digest))
        for flag in changed { bindings.append(flag) }
        SearchIndexSQL.append(entries, to: &bindings)
        return bindings
    }
}

/// The next version of a resource whose index rows stay as they are (its new rows have the digest `digest` the
/// current ones have), written only if the current version is still `previousVersion` and its digest still
/// `digest` (a reindex may have rewritten the rows meanwhile): the resource row and a history row, nothing else.
struct ReplaceKeepingIndexStatement: CountingStatement {
    static let name = "carebridge_replace_keeping_index"
    static let sql = """
        WITH u AS (
            UPDATE resource SET version_id = $3, last_updated = $5, body = $6
            WHERE resource_type = $1 AND id = $2 AND version_id = $4 AND NOT deleted AND index_digest = $8
            RETURNING 1
        )
        INSERT INTO resource_history (resource_type, id, version_id, last_updated, method, deleted, body)
        SELECT $1, $2, $3, $5, $7, false, $6 FROM u
        RETURNING 1
        """

    let next: NextVersion
    let digest: [UInt8]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 8)
        next.append(to: &bindings)
        bindings.append(ByteBuffer(bytes: digest))
        return bindings
    }
}
