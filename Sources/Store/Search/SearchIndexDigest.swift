import Crypto
import FHIRProfiles

extension SearchIndexEntries {
    /// The SHA-256 of the rows, table by table in the order they are bound (`SearchIndexSQL.append`): two
    /// versions of a resource with the same digest have the same index rows, so an update can leave them alone.
    /// Rows come in extraction order, which is the same for the same search parameters; rows listed in another
    /// order only cost a full comparison, never a wrong index. Parameters that failed are not rows and do not count.
    var digest: [UInt8] {
        let tables: [[[String]]] = [
            strings.map { [$0.parameter, $0.value, $0.exact] },
            tokens.map { [$0.parameter, $0.system, $0.code, $0.text] },
            dates.map { [$0.parameter, String($0.low.bitPattern), String($0.high.bitPattern)] },
            references.map { [$0.parameter, $0.targetType, $0.targetID, $0.url] },
            quantities.map { [$0.number.parameter, $0.number.value, $0.number.halfUnit, $0.system, $0.code] },
            numbers.map { [$0.parameter, $0.value, $0.halfUnit] },
            uris.map { [$0.parameter, $0.value] },
        ]
        var hash = SHA256()
        for rows in tables {
            for row in rows {
                for field in row {
                    hash.update(data: Array(field.utf8))
                    hash.update(data: [0x1F])
                }
                hash.update(data: [0x1E])
            }
            hash.update(data: [0x1D])
        }
        return Array(hash.finalize())
    }
}
