import FHIRCore
import NIOCore
import Store

extension RestHandler {
    /// The `meta.tag` a resource carries when it was trimmed by `_summary` or `_elements`
    /// (https://hl7.org/fhir/R4/search.html#summary).
    static let subsettedTag: JSONValue = .object(JSONObject([
        ("system", .string("http://terminology.hl7.org/CodeSystem/v3-ObservationValue")), ("code", .string("SUBSETTED")),
    ]))

    /// `body` as `_summary=data` (no narrative) and `_elements` (only those top-level elements, with `id` and
    /// `meta`) ask, tagged SUBSETTED; unchanged when neither asks for less.
    func subset(_ body: ByteBuffer, _ query: SearchQuery) -> ByteBuffer {
        guard query.summary == .data || query.elements != nil,
              let resource = try? FHIRResource(parsing: body.readableBytesView) else { return body }
        let kept = query.elements.map { Set($0 + ["resourceType", "id", "meta"]) }
        var members: [(String, JSONValue)] = []
        for (name, value) in resource.json where kept?.contains(name) ?? true {
            if query.summary == .data && name == "text" { continue }
            members.append((name, value))
        }
        var json = JSONObject(members)
        var meta = json["meta"]?.objectValue ?? JSONObject()
        meta["tag"] = .array((meta["tag"]?.arrayValue ?? []) + [Self.subsettedTag])
        json["meta"] = .object(meta)
        return ByteBuffer(bytes: JSONWriter.bytes(.object(json)))
    }
}
