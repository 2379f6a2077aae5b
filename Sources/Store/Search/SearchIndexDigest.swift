import Crypto
import FHIRProfiles

extension SearchIndexEntries {
    /// The SHA-256 of the rows, table by table in the order they are bound (`SearchIndexSQL.append`): two
    /// versions of a resource with the same digest have the same index rows, so an update can leave them alone.
    /// Rows come in extraction order, which is the same for the same search parameters; rows listed in another
    /// order only cost a full comparison, never a wrong index. Parameters that failed are not rows and do not count.
    var digest: [UInt8] {
        var hash = SHA256()
        for rows in tableRows {
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

    /// For each of the seven tables (in `SearchIndexSQL.tables` order), whether its rows differ from those of
    /// `current`: not the same rows, byte for byte, in the same order. A table whose rows are the same needs no
    /// comparison in the database; one listed in another order is only compared for nothing.
    func tablesChanged(from current: SearchIndexEntries) -> [Bool] {
        zip(tableRows, current.tableRows).map { new, old in
            new.count != old.count || !zip(new, old).allSatisfy { a, b in
                a.count == b.count && zip(a, b).allSatisfy { $0.utf8.elementsEqual($1.utf8) }
            }
        }
    }

    /// Each table's rows as the text of their fields (doubles by their bit patterns), as the digest reads them.
    private var tableRows: [[[String]]] {
        [
            strings.map { [$0.parameter, $0.value, $0.exact] },
            tokens.map { [$0.parameter, $0.system, $0.code, $0.text] },
            dates.map { [$0.parameter, String($0.low.bitPattern), String($0.high.bitPattern)] },
            references.map { [$0.parameter, $0.targetType, $0.targetID, $0.url] },
            quantities.map { [$0.number.parameter, $0.number.value, $0.number.halfUnit, $0.system, $0.code] },
            numbers.map { [$0.parameter, $0.value, $0.halfUnit] },
            uris.map { [$0.parameter, $0.value] },
        ]
    }
}
