import FHIRCore
import Foundation

/// The datatype converters a mapping rule names with `as:` (HL7 v2 datatype -> FHIR datatype).
enum Converter: String, Sendable, Hashable, CaseIterable {
    case string, text, code, boolean, integer, decimal, date, dateTime, instant
    case identifierCX = "CX", identifierEI = "EI", systemCX = "CX.system", systemEI = "EI.system"
    case humanName = "XPN", address = "XAD", contactPoint = "XTN"
    case codeableConcept = "CWE", coding = "Coding"
    case practitionerIdentifier = "XCN.identifier", practitionerName = "XCN.name", practitionerDisplay = "XCN.display"
    case locationName = "PL.name", locationIdentifier = "PL.identifier"
    case quantity = "Quantity", structuredNumeric = "SN", structuredNumericText = "SN.text"
    case referenceRange, attachment = "ED", money = "Money"

    /// Whether the converter reads only component 1 (so an empty component 1 means no value).
    var readsFirstComponentOnly: Bool {
        switch self {
        case .string, .text, .code, .boolean, .integer, .decimal, .date, .dateTime, .instant, .quantity, .referenceRange,
             .money:
            true
        default:
            false
        }
    }

    /// The converter a mapping file names (`CE` and `CNE` read like `CWE`, `TS`/`DTM` like `dateTime`).
    init?(name: String) {
        switch name {
        case "CE", "CNE", "CodeableConcept": self = .codeableConcept
        case "TS", "DTM": self = .dateTime
        case "DT": self = .date
        case "NM": self = .decimal
        case "ST", "ID", "IS": self = .string
        default: self.init(rawValue: name)
        }
    }
}

/// Per-rule options a converter reads.
struct ConversionOptions: Sendable {
    var table: CodeTable?
    var inlineMap: [String: String]?
    /// The units (a CWE such as OBX-6), for Quantity, SN and referenceRange.
    var unit: V2Value?
    var currency: String?
}

/// Applies converters with the message's terminology.
struct ValueConverter: Sendable {
    let terminology: Terminology
    /// The identifier system used when an identifier has no assigning authority (from MSH-4).
    let fallbackSystem: String

    /// `value` converted by `converter`; nil when there is nothing to write (e.g. an unmapped code).
    func convert(_ value: V2Value, _ converter: Converter, _ options: ConversionOptions) throws(ConversionFailure) -> JSONValue? {
        let first = value.part(1).trimmingWhitespace()
        if first.isEmpty, converter.readsFirstComponentOnly { return nil }
        switch converter {
        case .string, .text:
            if options.table != nil || options.inlineMap != nil { return try convert(value, .code, options) }
            return nonEmpty(value.part(1))
        case .code:
            if let mapped = options.inlineMap?[first] { return .string(mapped) }
            if let table = options.table { return table.lookup(first).map { .string($0.code) } }
            return options.inlineMap == nil ? nonEmpty(first) : nil
        case .boolean:
            switch first.uppercased() {
            case "Y", "YES", "TRUE", "1": return .bool(true)
            case "N", "NO", "FALSE", "0": return .bool(false)
            default: return nil
            }
        case .integer: return .number(try V2Primitives.integer(first))
        case .decimal: return .number(try V2Primitives.decimal(first))
        case .date: return .string(try V2Primitives.date(first))
        case .dateTime: return .string(try V2Primitives.dateTime(first, defaultOffset: terminology.defaultOffset))
        case .instant:
            let text = try V2Primitives.dateTime(first, defaultOffset: terminology.defaultOffset)
            return text.utf8.contains(UInt8(ascii: "T")) ? .string(text) : nil
        case .identifierCX:
            return identifier(value: value.part(1), system: cxSystem(value), type: value.part(5))
        case .identifierEI:
            return identifier(value: value.part(1), system: eiSystem(value), type: "")
        case .systemCX: return .string(cxSystem(value))
        case .systemEI: return .string(eiSystem(value))
        case .humanName: return humanName(value, family: 1, given: [2, 3], suffix: [4, 6], prefix: 5, use: 7)
        case .address: return address(value)
        case .contactPoint: return contactPoint(value)
        case .codeableConcept: return codeableConcept(value, options)
        case .coding: return coding(value, options)
        case .practitionerIdentifier:
            let system = terminology.identifierSystem(namespace: value.part(9, 1), universalID: value.part(9, 2),
                                                      type: value.part(9, 3)) ?? fallbackSystem
            return identifier(value: value.part(1), system: system, type: value.part(13))
        case .practitionerName: return humanName(value, family: 2, given: [3, 4], suffix: [5, 7], prefix: 6, use: 10)
        case .practitionerDisplay: return practitionerDisplay(value)
        case .locationName: return locationName(value)
        case .locationIdentifier: return locationIdentifier(value)
        case .quantity: return quantity(try V2Primitives.decimal(first), unit: options.unit)
        case .structuredNumeric: return try structuredNumeric(value, unit: options.unit)
        case .structuredNumericText:
            return nonEmpty((1...4).map { value.part($0) }.joined())
        case .referenceRange: return referenceRange(value.part(1), unit: options.unit)
        case .attachment: return try attachment(value)
        case .money: return try money(value, currency: options.currency)
        }
    }

    func nonEmpty(_ text: String) -> JSONValue? {
        let trimmed = text.trimmingWhitespaceAndNewlines()
        return trimmed.isEmpty ? nil : .string(trimmed)
    }

    /// CX-4 (HD) as an identifier system, else the fallback.
    func cxSystem(_ value: V2Value) -> String {
        terminology.identifierSystem(namespace: value.part(4, 1), universalID: value.part(4, 2), type: value.part(4, 3))
            ?? fallbackSystem
    }

    /// EI-2..4 (namespace, universal id, type) as an identifier system, else the fallback.
    func eiSystem(_ value: V2Value) -> String {
        terminology.identifierSystem(namespace: value.part(2), universalID: value.part(3), type: value.part(4))
            ?? fallbackSystem
    }

    func identifier(value: String, system: String, type: String) -> JSONValue? {
        let value = value.trimmingWhitespace()
        guard !value.isEmpty else { return nil }
        var object = JSONObject()
        let type = type.trimmingWhitespace()
        if !type.isEmpty {
            if let mapped = terminology.tables["0203"]?.lookup(type) {
                object["type"] = .object(JSONObject([("coding", .array([mapped.coding]))]))
            } else {
                object["type"] = .object(JSONObject([("text", .string(type))]))
            }
        }
        object["system"] = .string(system)
        object["value"] = .string(value)
        return .object(object)
    }
}
