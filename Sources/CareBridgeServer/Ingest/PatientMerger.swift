import FHIRCore
import FHIRProfiles
import Foundation
import Mapping
import NIOCore
import Store

/// Moves references for an ADT^A40 merge: every current resource that refers to the merged-away Patient is
/// rewritten to refer to the surviving one, in the transaction that applied the merge Bundle (which already
/// marked the merged Patient `active=false` with a `replaced-by` link). Patients themselves are left alone: their
/// `link`s record the merge and must keep pointing where they point.
struct PatientMerger {
    let registry: ProfileRegistry

    /// Rewrites the referrers of `merge.merged`'s Patient; returns the `Type/id` of the resources changed.
    func merge(_ merge: PatientMerge, in session: StoreSession) async throws -> [String] {
        let survivor = try await patient(merge.survivor, in: session)
        let merged = try await patient(merge.merged, in: session)
        guard survivor != merged else { return [] }
        let from = "Patient/\(merged)"
        let to = "Patient/\(survivor)"
        var changed: [String] = []
        for stored in try await session.referrers(of: "Patient", id: merged) where stored.resourceType != "Patient" {
            var resource = try FHIRResource(parsing: stored.body.readableBytesView)
            let rewritten = Self.replacingReferences(.object(resource.json), from: from, to: to)
            guard case .object(let json) = rewritten else { continue }
            resource.json = json
            _ = try await session.update(resource, id: stored.id, ifMatch: stored.versionId)
            changed.append(stored.reference)
        }
        return changed
    }

    /// The id of the one Patient with identifier `key`; the merge fails when there is none or several.
    private func patient(_ key: IdentifierKey, in session: StoreSession) async throws -> String {
        let query = try SearchQuery(conditional: key.criteria, type: "Patient", registry: registry)
        let ids = try await session.matches(query, limit: 2)
        guard ids.count == 1, let id = ids.first else {
            throw StoreError(.invalidRequest, "merge: \(ids.isEmpty ? "no" : "more than one") Patient with identifier \(key)")
        }
        return id
    }

    /// `json` with every `reference` member equal to `from` (relative, or ending in `/from`) changed to `to`.
    static func replacingReferences(_ json: JSONValue, from: String, to: String) -> JSONValue {
        switch json {
        case .object(let object):
            var members: [(String, JSONValue)] = []
            for (name, value) in object {
                if name == "reference", case .string(let text) = value, text == from || text.hasSuffix("/" + from) {
                    members.append((name, .string(to)))
                } else {
                    members.append((name, replacingReferences(value, from: from, to: to)))
                }
            }
            return .object(JSONObject(members))
        case .array(let items):
            return .array(items.map { replacingReferences($0, from: from, to: to) })
        default:
            return json
        }
    }
}
