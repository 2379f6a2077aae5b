import FHIRCore
import FHIRProfiles
import Foundation
import NIOCore
import Store

extension RestHandler {
    /// The `meta.tag` a resource carries when it was trimmed by `_summary` or `_elements`
    /// (https://hl7.org/fhir/R4/search.html#summary).
    static let subsettedTag: JSONValue = .object(JSONObject([
        ("system", .string("http://terminology.hl7.org/CodeSystem/v3-ObservationValue")), ("code", .string("SUBSETTED")),
    ]))

    /// `body` trimmed as the search's `_summary` and `_elements` ask.
    func subset(_ body: ByteBuffer, _ query: SearchQuery) -> ByteBuffer {
        subset(body, summary: query.summary, elements: query.elements)
    }

    /// `body` trimmed as `summary` and `elements` ask, tagged SUBSETTED; unchanged when neither asks for less.
    ///
    /// `true` keeps the elements the definition marks `isSummary`; `text` keeps `text`, `id`, `meta` and the
    /// mandatory elements; `data` drops `text`; `_elements` keeps the elements named, `id`, `meta` and the
    /// mandatory elements (which the spec asks servers to return anyway).
    func subset(_ body: ByteBuffer, summary: SearchQuery.Summary, elements: [String]?) -> ByteBuffer {
        guard summary == .true || summary == .text || summary == .data || elements != nil,
              let resource = try? FHIRResource(parsing: body.readableBytesView) else { return body }
        let type = resource.resourceType
        let always: Set<String> = ["resourceType", "id", "meta"]
        let mandatory = registry.mandatoryMembers(of: type) ?? []
        let kept: Set<String>?
        if let elements {
            kept = always.union(mandatory).union(elements)
        } else {
            switch summary {
            case .true: kept = always.union(registry.summaryMembers(of: type) ?? [])
            case .text: kept = always.union(mandatory).union(["text"])
            default: kept = nil
            }
        }
        var members: [(String, JSONValue)] = []
        for (name, value) in resource.json where kept?.contains(name) ?? true {
            if summary == .data && name == "text" { continue }
            members.append((name, value))
        }
        var json = JSONObject(members)
        var meta = json["meta"]?.objectValue ?? JSONObject()
        meta["tag"] = .array((meta["tag"]?.arrayValue ?? []) + [Self.subsettedTag])
        json["meta"] = .object(meta)
        return ByteBuffer(bytes: JSONWriter.bytes(.object(json)))
    }

    /// The `_summary` and `_elements` of a read (`GET /[type]/[id]?_summary=true`); any other parameter but
    /// `_format` and `_pretty` is a 400 under strict handling (the default) and ignored under lenient.
    func readSubsetting(_ request: FHIRRequest) throws -> (summary: SearchQuery.Summary, elements: [String]?) {
        var summary = SearchQuery.Summary.false
        var elements: [String]?
        for (name, value) in request.query {
            switch name {
            case "_summary":
                guard let mode = SearchQuery.Summary(rawValue: value), mode != .count else {
                    throw FHIRError(400, code: "invalid", "_summary on a read must be true, text, data or false, not '\(value)'")
                }
                summary = mode
            case "_elements":
                elements = (elements ?? []) + SearchQuery.elementNames(value)
            case "_format", "_pretty": continue
            default:
                guard request.handling == .lenient else {
                    throw FHIRError(400, code: "not-supported", "A read does not take the parameter '\(name)'")
                }
            }
        }
        return (summary, elements)
    }
}
