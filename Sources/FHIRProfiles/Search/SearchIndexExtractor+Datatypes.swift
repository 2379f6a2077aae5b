import FHIRCore
import Foundation

/// Index rows from values, by parameter type and datatype (https://hl7.org/fhir/R4/search.html).
///
/// Elements are told apart by their type when FHIRPath knows it (choice suffixes) and otherwise by shape:
/// search expressions select a known set of datatypes per parameter type, whose members do not overlap.
extension SearchIndexExtractor {
    /// The parts of HumanName and Address that string search matches, each on its own.
    private static let nameAndAddressParts = [
        "family", "given", "prefix", "suffix", "text", "line", "city", "district", "state", "postalCode", "country",
    ]
    /// ContactPoint.system codes, which tell a ContactPoint from an Identifier.
    private static let contactPointSystems: Set<String> = ["phone", "fax", "email", "pager", "url", "sms", "other"]
    /// The system of Money.currency codes.
    static let currencySystem = "urn:iso:std:iso:4217"

    // MARK: string

    static func addStrings(_ json: JSONValue, _ code: String, to entries: inout SearchIndexEntries) {
        switch json {
        case .string(let text): addString(text, code, to: &entries)
        case .object(let object):
            for part in nameAndAddressParts {
                switch object[part] {
                case .string(let text): addString(text, code, to: &entries)
                case .array(let items):
                    for case .string(let text) in items { addString(text, code, to: &entries) }
                default: break
                }
            }
        default: break
        }
    }

    private static func addString(_ text: String, _ code: String, to entries: inout SearchIndexEntries) {
        entries.strings.append(.init(parameter: code, value: SearchText.normalized(text), exact: text))
    }

    // MARK: token

    /// Token rows of `json`; a string is a code, given its system from `implicitSystems` when it has one there.
    static func addTokens(
        _ json: JSONValue, typeName: String?, implicitSystems: [String: String], _ code: String,
        to entries: inout SearchIndexEntries
    ) {
        switch json {
        case .string(let text):
            entries.tokens.append(.init(parameter: code, system: implicitSystems[text] ?? "", code: text))
        case .bool(let flag): entries.tokens.append(.init(parameter: code, code: flag ? "true" : "false"))
        case .number(let text): entries.tokens.append(.init(parameter: code, code: text))
        case .object(let object): addTokens(object, typeName: typeName, code, to: &entries)
        default: break
        }
    }

    private static func addTokens(
        _ object: JSONObject, typeName: String?, _ code: String, to entries: inout SearchIndexEntries
    ) {
        let kind = typeName ?? tokenKind(of: object)
        switch kind {
        case "CodeableConcept":
            for case .object(let coding) in object["coding"]?.arrayValue ?? [] {
                addCoding(coding, code, to: &entries)
            }
            if let text = object["text"]?.stringValue {
                entries.tokens.append(.init(parameter: code, code: "", text: SearchText.normalized(text)))
            }
        case "Coding":
            addCoding(object, code, to: &entries)
        case "Identifier":
            addIdentifier(object, code, to: &entries)
        case "ContactPoint":
            guard let value = object["value"]?.stringValue else { return }
            entries.tokens.append(.init(parameter: code, code: value))
        default: break
        }
    }

    /// An Identifier as `system|value`, and for `:of-type` once per coding of its type as
    /// `typeSystem|typeCode|value` (the type's code and the value joined by `|` in the code column).
    private static func addIdentifier(_ object: JSONObject, _ code: String, to entries: inout SearchIndexEntries) {
        guard let value = object["value"]?.stringValue else { return }
        let text = object["type"]?["text"]?.stringValue.map(SearchText.normalized) ?? ""
        entries.tokens.append(.init(parameter: code, system: object["system"]?.stringValue ?? "", code: value, text: text))
        for case .object(let coding) in object["type"]?["coding"]?.arrayValue ?? [] {
            guard let typeCode = coding["code"]?.stringValue else { continue }
            entries.tokens.append(.init(
                parameter: code + ":" + ofTypeModifier, system: coding["system"]?.stringValue ?? "", code: typeCode + "|" + value))
        }
    }

    private static func addCoding(_ coding: JSONObject, _ code: String, to entries: inout SearchIndexEntries) {
        guard let value = coding["code"]?.stringValue else { return }
        let text = coding["display"]?.stringValue.map(SearchText.normalized) ?? ""
        entries.tokens.append(
            .init(parameter: code, system: coding["system"]?.stringValue ?? "", code: value, text: text))
    }

    /// The datatype of an element a token parameter selected, from the members it has.
    private static func tokenKind(of object: JSONObject) -> String {
        if object["coding"] != nil { return "CodeableConcept" }
        if object["value"] != nil {
            if let system = object["system"]?.stringValue, contactPointSystems.contains(system) { return "ContactPoint" }
            if object["rank"] != nil { return "ContactPoint" }
            return "Identifier"
        }
        if object["code"] != nil { return "Coding" }
        if object["text"] != nil { return "CodeableConcept" }
        return ""
    }

    // MARK: date

    static func addDates(_ json: JSONValue, _ code: String, to entries: inout SearchIndexEntries) {
        switch json {
        case .string(let text):
            guard let date = FHIRDateTime(text) else { return }
            entries.dates.append(.init(parameter: code, low: date.lowerBound.timeIntervalSince1970,
                                       high: date.upperBound.timeIntervalSince1970))
        case .object(let object):
            if object["start"] != nil || object["end"] != nil {
                addPeriod(object, code, to: &entries)
                return
            }
            for case .string(let event) in object["event"]?.arrayValue ?? [] {
                addDates(.string(event), code, to: &entries)
            }
            if object["event"] == nil, let bounds = object["repeat"]?["boundsPeriod"]?.objectValue {
                addPeriod(bounds, code, to: &entries)
            }
        default: break
        }
    }

    /// A Period: from the start of `start` to the end of `end`, open ends infinite.
    private static func addPeriod(_ period: JSONObject, _ code: String, to entries: inout SearchIndexEntries) {
        let start = period["start"]?.stringValue.flatMap(FHIRDateTime.init)
        let end = period["end"]?.stringValue.flatMap(FHIRDateTime.init)
        guard start != nil || end != nil else { return }
        entries.dates.append(.init(
            parameter: code,
            low: start?.lowerBound.timeIntervalSince1970 ?? -.infinity,
            high: end?.upperBound.timeIntervalSince1970 ?? .infinity))
    }

    // MARK: reference

    func addReference(_ json: JSONValue, _ code: String, to entries: inout SearchIndexEntries) {
        switch json {
        case .object(let object):
            if case .object(let identifier) = object["identifier"], let value = identifier["value"]?.stringValue {
                entries.tokens.append(.init(
                    parameter: code + ":" + Self.identifierModifier, system: identifier["system"]?.stringValue ?? "",
                    code: value))
            }
            guard let reference = object["reference"]?.stringValue, !reference.hasPrefix("#") else { return }
            entries.references.append(referenceRow(reference, code))
        case .string(let canonical):
            let url = canonical.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).first
                .map(String.init) ?? canonical
            guard !url.isEmpty, !url.hasPrefix("#") else { return }
            entries.references.append(referenceRow(url, code))
        default: break
        }
    }

    /// `Type/id` (relative, or at the end of an absolute URL, `_history` dropped) as type and id when `Type`
    /// is a resource type; absolute references, and anything else, as their URL.
    private func referenceRow(_ reference: String, _ code: String) -> SearchIndexEntries.Reference {
        let isAbsolute = reference.utf8.contains(UInt8(ascii: ":"))
        var row = SearchIndexEntries.Reference(parameter: code, url: isAbsolute ? reference : "")
        if let literal = LiteralReference(reference), isAbsolute || literal.isTypeAndIDOnly,
           knownResourceTypes.contains(literal.type) {
            row.targetType = literal.type
            row.targetID = literal.id
        } else {
            row.url = reference
        }
        return row
    }

    // MARK: quantity and number

    /// Quantity-like values: Money as its currency in ISO 4217; others with their system and code, or their
    /// unit when they have no code (so that `5.4||mg` finds `{"value":5.4,"unit":"mg"}`).

    static func addQuantity(
        _ json: JSONValue, typeName: String?, _ code: String, to entries: inout SearchIndexEntries
    ) {
        guard case .object(let object) = json, let value = object["value"]?.numberText,
              let number = number(value, code)
        else { return }
        if typeName == "Money" || (object["currency"] != nil && object["system"] == nil && object["code"] == nil) {
            entries.quantities.append(
                .init(number: number, system: currencySystem, code: object["currency"]?.stringValue ?? ""))
            return
        }
        entries.quantities.append(.init(
            number: number, system: object["system"]?.stringValue ?? "",
            code: object["code"]?.stringValue ?? object["unit"]?.stringValue ?? ""))
    }

    /// A number row for the decimal `text`, nil when `text` is not a decimal.
    static func number(_ text: String, _ code: String) -> SearchIndexEntries.Number? {
        guard let exponent = DecimalPrecision.lastDigitExponent(of: text) else { return nil }
        return .init(parameter: code, value: text, halfUnit: "5e\(exponent - 1)")
    }
}
