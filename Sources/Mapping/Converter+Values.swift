import FHIRCore
import Foundation

extension ValueConverter {
    /// A Quantity of `value` (decimal text) in the units of a CWE (OBX-6): `unit` is the text, and UCUM
    /// units also get `system`/`code`.
    func quantity(_ value: String, unit: V2Value?, comparator: String? = nil) -> JSONValue {
        var object = JSONObject()
        object["value"] = .number(value)
        if let comparator { object["comparator"] = .string(comparator) }
        if let unit {
            let code = unit.part(1).trimmingWhitespace()
            let text = unit.part(2).trimmingWhitespace()
            if let shown = nonEmpty(text.isEmpty ? code : text) { object["unit"] = shown }
            let system = unit.part(3).uppercased()
            if !code.isEmpty, ["UCUM", "ANS+", "ISO+"].contains(system) {
                object["system"] = .string("http://unitsofmeasure.org")
                object["code"] = .string(code)
            }
        }
        return .object(object)
    }

    /// SN -> Quantity when it is one number with an optional comparator (`<^5`); nil for ranges and ratios
    /// (`^1^:^128`), which the mapping writes as text (`SN.text`).
    func structuredNumeric(_ value: V2Value, unit: V2Value?) throws(ConversionFailure) -> JSONValue? {
        guard value.part(3).isEmpty, value.part(4).isEmpty, !value.part(2).isEmpty else { return nil }
        let comparator = value.part(1).trimmingWhitespace()
        let allowed = ["<", "<=", ">=", ">"]
        guard comparator.isEmpty || comparator == "=" || allowed.contains(comparator) else { return nil }
        return quantity(try V2Primitives.decimal(value.part(2)), unit: unit,
                        comparator: allowed.contains(comparator) ? comparator : nil)
    }

    /// OBX-7 (`3.5-5.0`, `<200`, `>=10`, or free text) -> an Observation.referenceRange element.
    func referenceRange(_ text: String, unit: V2Value?) -> JSONValue? {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { return nil }
        func bound(_ number: Substring) -> JSONValue? {
            guard let value = try? V2Primitives.decimal(String(number)) else { return nil }
            var quantity = self.quantity(value, unit: unit).objectValue ?? JSONObject()
            quantity["comparator"] = nil
            return .object(quantity)
        }
        var object = JSONObject()
        if let first = trimmed.first, first == "<" || first == ">" {
            let number = trimmed.drop { $0 == "<" || $0 == ">" || $0 == "=" || $0 == " " }
            if let value = bound(number) { object[first == "<" ? "high" : "low"] = value }
        } else if let dash = trimmed.dropFirst().firstIndex(of: "-") {
            let low = trimmed[..<dash].trimmingWhitespace()
            let high = trimmed[trimmed.index(after: dash)...].trimmingWhitespace()
            if let lowValue = bound(Substring(low)), let highValue = bound(Substring(high)) {
                object["low"] = lowValue
                object["high"] = highValue
            }
        }
        if object.isEmpty { object["text"] = .string(trimmed) }
        return .object(object)
    }

    /// ED (source^type^subtype^encoding^data) -> Attachment with a content type and base64 data.
    func attachment(_ value: V2Value) throws(ConversionFailure) -> JSONValue? {
        let data = value.part(5).trimmingWhitespaceAndNewlines()
        guard !data.isEmpty else { return nil }
        let encoding = value.part(4).uppercased()
        let base64: String
        switch encoding {
        case "BASE64":
            let compact = data.filter { !$0.isWhitespace }
            guard Data(base64Encoded: compact) != nil else { throw ConversionFailure(reason: "ED-5 is not valid base64") }
            base64 = compact
        case "HEX":
            var bytes: [UInt8] = []
            var characters = Array(data.filter { !$0.isWhitespace })
            guard characters.count.isMultiple(of: 2) else { throw ConversionFailure(reason: "ED-5 is not valid hex") }
            while !characters.isEmpty {
                guard let byte = UInt8(String(characters.prefix(2)), radix: 16) else {
                    throw ConversionFailure(reason: "ED-5 is not valid hex")
                }
                bytes.append(byte)
                characters.removeFirst(2)
            }
            base64 = Data(bytes).base64EncodedString()
        default:
            base64 = Data(data.utf8).base64EncodedString()
        }
        var object = JSONObject()
        object["contentType"] = .string(Self.contentType(type: value.part(2), subtype: value.part(3)))
        object["data"] = .string(base64)
        return .object(object)
    }

    static func contentType(type: String, subtype: String) -> String {
        let subtype = subtype.trimmingWhitespace()
        if subtype.utf8.contains(UInt8(ascii: "/")) { return subtype.lowercased() }
        switch subtype.uppercased() {
        case "PDF": return "application/pdf"
        case "RTF": return "application/rtf"
        case "HTML": return "text/html"
        case "XML": return "application/xml"
        case "JPEG", "JPG": return "image/jpeg"
        case "PNG": return "image/png"
        case "TIFF", "TIF": return "image/tiff"
        case "GIF": return "image/gif"
        case "PLAIN", "TEXT": return "text/plain"
        default: return type.uppercased() == "TEXT" ? "text/plain" : "application/octet-stream"
        }
    }

    /// MO or CP -> Money: the amount, and the currency (MO-2, or `currency`) when it is an ISO 4217 code.
    func money(_ value: V2Value, currency: String?) throws(ConversionFailure) -> JSONValue? {
        let amount = value.part(1).trimmingWhitespace()
        guard !amount.isEmpty else { return nil }
        var object = JSONObject()
        object["value"] = .number(try V2Primitives.decimal(amount))
        let written = (value.parts.first?.count ?? 0) > 1 ? value.part(1, 2) : value.part(2)
        let code = (written.isEmpty ? currency ?? "" : written).trimmingWhitespace().uppercased()
        if code.count == 3, code.allSatisfy({ $0.isASCII && $0.isLetter }) { object["currency"] = .string(code) }
        return .object(object)
    }
}
