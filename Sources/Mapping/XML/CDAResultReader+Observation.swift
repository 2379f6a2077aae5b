import FHIRCore
import Foundation
import SafeXML

extension CDAResultReader {
    /// A Result Observation -> an Observation's content; nil for a placeholder with neither code nor value.
    /// `organizer` is the organizer's performing organization, used when the observation names none.
    func result(_ observation: SafeXMLElement, where place: String, organizer: LabOrganization?) throws(MappingError) -> LabResult? {
        do throws(ConversionFailure) {
            let code = observation.cdaChild("code").flatMap(values.codeableConcept)
            let value = try observation.cdaChild("value").flatMap(observationValue)
            guard let code else {
                if value == nil { return nil }
                throw ConversionFailure(reason: "a Result Observation with a value needs a code")
            }
            let status = observation.cdaChild("statusCode")?.nonEmptyAttribute("code")
            var result = LabResult(code: code, status: status.flatMap { values.terminology.observationStatus[$0] } ?? "unknown")
            result.identifiers = values.identifiers(of: observation)
            result.effective = try values.effectiveTime(observation.cdaChild("effectiveTime"))
            result.performer = values.performingOrganization(of: observation) ?? organizer
            result.value = value
            result.interpretation = observation.cdaChildren("interpretationCode").compactMap(values.codeableConcept)
            for range in observation.cdaChildren("referenceRange").compactMap({ $0.cdaChild("observationRange") }) {
                if let converted = try referenceRange(range) { result.referenceRanges.append(converted) }
            }
            return result
        } catch {
            throw MappingError(.invalidContent, "\(place): \(error.reason)")
        }
    }

    /// `value` by its `xsi:type`: PQ -> valueQuantity, IVL_PQ -> valueQuantity with a comparator or valueRange,
    /// CD/CE/CV/CO/CS -> valueCodeableConcept, ST/ED -> valueString (an ED's narrative reference resolved),
    /// INT -> valueInteger, REAL -> valueQuantity without unit, BL -> valueBoolean, TS -> valueDateTime.
    func observationValue(_ value: SafeXMLElement) throws(ConversionFailure) -> (key: String, value: JSONValue)? {
        let type = value.xsiType ?? (value.attribute("unit") != nil ? "PQ" : value.attribute("code") != nil ? "CD" : "ST")
        switch type {
        case "PQ":
            return try values.quantity(value).map { ("valueQuantity", .object($0)) }
        case "IVL_PQ":
            return try interval(value)
        case "CD", "CE", "CV", "CO", "CS":
            return values.codeableConcept(value).map { ("valueCodeableConcept", $0) }
        case "ST", "ED":
            return values.text(value).map { ("valueString", .string($0)) }
        case "INT":
            return try value.nonEmptyAttribute("value").map { text throws(ConversionFailure) in
                ("valueInteger", .number(try V2Primitives.integer(text)))
            }
        case "REAL":
            return try value.nonEmptyAttribute("value").map { text throws(ConversionFailure) in
                ("valueQuantity", .object(JSONObject([("value", .number(try V2Primitives.decimal(text)))])))
            }
        case "BL":
            return value.nonEmptyAttribute("value").flatMap { ["true": true, "false": false][$0] }
                .map { ("valueBoolean", .bool($0)) }
        case "TS":
            return try values.dateTime(value).map { ("valueDateTime", .string($0)) }
        default:
            throw ConversionFailure(reason: "a value of xsi:type \(type) is not mapped")
        }
    }

    /// IVL_PQ as a result: a high bound alone (or over a low of zero) is `<=`/`<` high, a low bound alone is
    /// `>=`/`>` low (`inclusive="false"` gives the strict comparator), two bounds are a Range.
    func interval(_ value: SafeXMLElement) throws(ConversionFailure) -> (key: String, value: JSONValue)? {
        let lowElement = value.cdaChild("low")
        let highElement = value.cdaChild("high")
        let low = try lowElement.flatMap(values.quantity)
        let high = try highElement.flatMap(values.quantity)
        let lowIsZero = low?["value"]?.numberText.map { $0.allSatisfy { $0 == "0" || $0 == "." || $0 == "-" } } ?? false
        if var high, low == nil || lowIsZero {
            high.set("comparator", .string(highElement?.attribute("inclusive") == "false" ? "<" : "<="), at: 1)
            return ("valueQuantity", .object(high))
        }
        if var low, high == nil {
            low.set("comparator", .string(lowElement?.attribute("inclusive") == "false" ? ">" : ">="), at: 1)
            return ("valueQuantity", .object(low))
        }
        guard let low, let high else { return nil }
        return ("valueRange", .object(JSONObject([("low", .object(low)), ("high", .object(high))])))
    }

    /// `observationRange` -> referenceRange (low, high, text). FHIR reference ranges are normal ranges, so a
    /// range whose interpretationCode is other than `N` is left out, as the guidance says.
    func referenceRange(_ range: SafeXMLElement) throws(ConversionFailure) -> JSONValue? {
        if let interpretation = range.cdaChild("interpretationCode")?.nonEmptyAttribute("code"), interpretation != "N" {
            return nil
        }
        var object = JSONObject()
        let value = range.cdaChild("value")
        if let value, value.xsiType == "IVL_PQ" || value.cdaChild("low") != nil || value.cdaChild("high") != nil {
            if let low = try value.cdaChild("low").flatMap(values.quantity) { object["low"] = .object(low) }
            if let high = try value.cdaChild("high").flatMap(values.quantity) { object["high"] = .object(high) }
        }
        let written = range.cdaChild("text").flatMap(values.text)
            ?? value.flatMap { $0.xsiType == "ST" ? values.text($0) : nil }
            ?? value.flatMap { values.codeableConcept($0)?["coding"]?.arrayValue?.first?["display"]?.stringValue }
        if let written { object["text"] = .string(written) }
        return object.isEmpty ? nil : .object(object)
    }
}
