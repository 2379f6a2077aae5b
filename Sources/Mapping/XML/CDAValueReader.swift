import FHIRCore
import Foundation
import SafeXML

/// Reads CDA datatypes (II, CD, PQ, IVL_PQ, TS, PN, AD, TEL) as FHIR datatypes, as the C-CDA on FHIR mapping
/// guidance says: OIDs of known code systems become their URI, times keep precision and offset, quantities
/// keep their decimal text and carry the UCUM unit as unit, system and code.
struct CDAValueReader {
    let terminology: CDATerminology
    /// The text of each narrative element with an `ID`, for `<reference value="#ID"/>`.
    let narrative: [String: String]

    init(terminology: CDATerminology, document: SafeXMLElement) {
        self.terminology = terminology
        var narrative: [String: String] = [:]
        for element in [document] + document.descendants {
            if let id = element.attribute("ID"), narrative[id] == nil { narrative[id] = element.foldedText }
        }
        self.narrative = narrative
    }

    /// II -> Identifier: root and extension as `system`/`value`; a root alone is a URI value
    /// (`urn:ietf:rfc:3986` system, `urn:oid:` or `urn:uuid:` value); nil for a null id.
    func identifier(_ id: SafeXMLElement) -> JSONValue? {
        let root = id.nonEmptyAttribute("root")
        let extensionValue = id.nonEmptyAttribute("extension")
        var object = JSONObject()
        switch (root, extensionValue) {
        case (let root?, let value?):
            object["system"] = .string(terminology.identifierSystems[root] ?? CDATerminology.uidURI(root))
            object["value"] = .string(value)
        case (let root?, nil):
            object["system"] = .string("urn:ietf:rfc:3986")
            object["value"] = .string(CDATerminology.uidURI(root))
        case (nil, let value?):
            object["value"] = .string(value)
        case (nil, nil):
            return nil
        }
        return .object(object)
    }

    /// The identifiers of the `id` children of `element`.
    func identifiers(of element: SafeXMLElement) -> [JSONValue] {
        element.cdaChildren("id").compactMap(identifier)
    }

    /// CD/CE/CV/CO/CS -> CodeableConcept: the code and each translation as codings, originalText (the
    /// narrative it references, resolved) as text; nil when nothing is coded or written.
    func codeableConcept(_ cd: SafeXMLElement) -> JSONValue? {
        var codings: [JSONValue] = []
        if let coding = coding(cd) { codings.append(coding) }
        for translation in cd.cdaChildren("translation") {
            if let coding = coding(translation) { codings.append(coding) }
        }
        var object = JSONObject()
        if !codings.isEmpty { object["coding"] = .array(codings) }
        if let original = cd.cdaChild("originalText").flatMap(text) {
            object["text"] = .string(original)
        } else if codings.isEmpty, let display = cd.nonEmptyAttribute("displayName") {
            object["text"] = .string(display)
        }
        return object.isEmpty ? nil : .object(object)
    }

    func coding(_ cd: SafeXMLElement) -> JSONValue? {
        guard let code = cd.nonEmptyAttribute("code") else { return nil }
        var object = JSONObject()
        if let system = cd.nonEmptyAttribute("codeSystem") { object["system"] = .string(terminology.codeSystem(system)) }
        object["code"] = .string(code)
        if let display = cd.nonEmptyAttribute("displayName") { object["display"] = .string(display) }
        return .object(object)
    }

    /// The text of an ED, ST or originalText: the narrative its `reference` points to, else its own text;
    /// nil when empty.
    func text(_ element: SafeXMLElement) -> String? {
        if let target = element.cdaChild("reference")?.nonEmptyAttribute("value"), target.hasPrefix("#"),
           let referenced = narrative[String(target.dropFirst())], !referenced.isEmpty {
            return referenced
        }
        let own = element.foldedText
        return own.isEmpty ? nil : own
    }

    /// TS -> FHIR dateTime at the precision written (`20200301102300-0500` -> `2020-03-01T10:23:00-05:00`).
    func dateTime(_ ts: SafeXMLElement?) throws(ConversionFailure) -> String? {
        guard let value = ts?.nonEmptyAttribute("value") else { return nil }
        return try V2Primitives.dateTime(value, defaultOffset: terminology.defaultOffset)
    }

    /// IVL_TS (or a TS) -> effectiveDateTime when it is one point (`@value`, `low` only, or `low` = `high`),
    /// else effectivePeriod.
    func effectiveTime(_ element: SafeXMLElement?) throws(ConversionFailure) -> LabEffectiveTime? {
        guard let element else { return nil }
        if let point = try dateTime(element) { return .dateTime(point) }
        let low = try dateTime(element.cdaChild("low"))
        let high = try dateTime(element.cdaChild("high"))
        if let low, high == nil || high == low { return .dateTime(low) }
        if low == nil, high == nil { return nil }
        return .period(start: low, end: high)
    }

    /// PQ -> Quantity: the number as written, the UCUM unit as unit, system and code; nil for a null PQ.
    func quantity(_ pq: SafeXMLElement) throws(ConversionFailure) -> JSONObject? {
        guard let number = pq.nonEmptyAttribute("value") else { return nil }
        var object = JSONObject()
        object["value"] = .number(try V2Primitives.decimal(number))
        let unit = pq.nonEmptyAttribute("unit") ?? "1"
        object["unit"] = .string(unit)
        object["system"] = .string("http://unitsofmeasure.org")
        object["code"] = .string(unit)
        return object
    }
}
