/// The element subsets of `_summary` (https://hl7.org/fhir/R4/search.html#summary).
extension ProfileRegistry {
    /// The top-level JSON members of `type` that its definition marks `isSummary` (what `_summary=true`
    /// keeps), with `resourceType`; nil when `type` is not a known resource type.
    public func summaryMembers(of type: String) -> Set<String>? {
        guard let table = resourceTable(type) else { return nil }
        var members: Set<String> = ["resourceType"]
        for (name, rule) in table.rules where rule.isSummary {
            members.insert(name)
            members.insert("_" + name)
        }
        return members
    }

    /// The top-level JSON members of `type` with a minimum cardinality above zero (what `_summary=text` keeps
    /// besides `text`, `id` and `meta`); nil when `type` is not a known resource type.
    public func mandatoryMembers(of type: String) -> Set<String>? {
        guard let table = resourceTable(type) else { return nil }
        return Set(table.required.flatMap(\.names))
    }

    /// The codes, by system, of the expanded value set `url` (a required binding's, from `valuesets.json`;
    /// a `|version` suffix is ignored); nil when the hub does not have it expanded.
    public func valueSetCodes(_ url: String) -> [String: Set<String>]? {
        let canonical = url.split(separator: "|", maxSplits: 1).first.map(String.init) ?? url
        return structures.valueSets.first { $0.url == canonical }?.codesBySystem
    }

    private func resourceTable(_ type: String) -> ElementTable? {
        guard let index = structures.resources[type]?.table, structures.tables.indices.contains(index) else { return nil }
        return structures.tables[index]
    }
}
