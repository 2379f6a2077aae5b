import FHIRCore
import Foundation

extension ValueConverter {
    /// XPN (or the name part of XCN) -> HumanName; `use` from HL7 table 0200.
    func humanName(_ value: V2Value, family: Int, given: [Int], suffix: [Int], prefix: Int, use: Int) -> JSONValue? {
        var object = JSONObject()
        if let code = terminology.tables["0200"]?.lookup(value.part(use)) { object["use"] = .string(code.code) }
        if let family = nonEmpty(value.part(family, 1)) { object["family"] = family }
        let givens = given.compactMap { nonEmpty(value.part($0)) }
        if !givens.isEmpty { object["given"] = .array(givens) }
        if let prefix = nonEmpty(value.part(prefix)) { object["prefix"] = .array([prefix]) }
        let suffixes = suffix.compactMap { nonEmpty(value.part($0)) }
        if !suffixes.isEmpty { object["suffix"] = .array(suffixes) }
        return object.count > (object["use"] == nil ? 0 : 1) ? .object(object) : nil
    }

    /// XAD -> Address; use and type from HL7 table 0190.
    func address(_ value: V2Value) -> JSONValue? {
        var object = JSONObject()
        let kind = value.part(7)
        if let use = terminology.tables["0190-use"]?.lookup(kind) { object["use"] = .string(use.code) }
        if let type = terminology.tables["0190-type"]?.lookup(kind) { object["type"] = .string(type.code) }
        let lines = [value.part(1, 1), value.part(2)].compactMap { nonEmpty($0) }
        if !lines.isEmpty { object["line"] = .array(lines) }
        for (key, number) in [("city", 3), ("district", 9), ("state", 4), ("postalCode", 5), ("country", 6)] {
            if let text = nonEmpty(value.part(number)) { object[key] = text }
        }
        let hasContent = object["line"] != nil || object["city"] != nil || object["state"] != nil
            || object["postalCode"] != nil || object["country"] != nil || object["district"] != nil
        return hasContent ? .object(object) : nil
    }

    /// XTN -> ContactPoint: the number from XTN-1 or XTN-5..8, or the address XTN-4; system from table 0202,
    /// use from table 0201 (a cellular phone, `CP`, is `use: mobile`).
    func contactPoint(_ value: V2Value) -> JSONValue? {
        let email = value.part(4).trimmingWhitespace()
        let equipment = value.part(3).trimmingWhitespace()
        var number = value.part(1).trimmingWhitespace()
        if number.isEmpty {
            let country = value.part(5).isEmpty ? "" : "+" + value.part(5)
            number = [country, value.part(6), value.part(7)].filter { !$0.isEmpty }.joined(separator: " ")
            if !value.part(8).isEmpty, !number.isEmpty { number += " x" + value.part(8) }
        }
        let text = !email.isEmpty && (number.isEmpty || equipment.uppercased() == "INTERNET" || equipment == "X.400")
            ? email : number
        guard !text.isEmpty else { return nil }
        var object = JSONObject()
        var use = terminology.tables["0201"]?.lookup(value.part(2))?.code
        let mappedEquipment = terminology.tables["0202"]?.lookup(equipment)
        var system = "phone"
        if let mappedEquipment, mappedEquipment.system == "http://hl7.org/fhir/contact-point-system" {
            system = mappedEquipment.code
        } else if mappedEquipment?.code == "mobile" {
            use = "mobile"
        } else if text == email {
            system = "email"
        }
        if text == email { system = "email" }
        if value.part(2).uppercased() == "NET" { system = "email" }
        object["system"] = .string(system)
        object["value"] = .string(text)
        if let use { object["use"] = .string(use) }
        return .object(object)
    }

    /// XCN as a display name: `prefix given family suffix`.
    func practitionerDisplay(_ value: V2Value) -> JSONValue? {
        let parts = [value.part(6), value.part(3), value.part(4), value.part(2, 1), value.part(5)]
            .map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        return parts.isEmpty ? nonEmpty(value.part(1)) : .string(parts.joined(separator: " "))
    }

    /// PL -> a location name: PL-9 (description), else point of care, room and bed.
    func locationName(_ value: V2Value) -> JSONValue? {
        if let description = nonEmpty(value.part(9)) { return description }
        let parts = [value.part(1), value.part(2), value.part(3)].map { $0.trimmingWhitespace() }
        let named = parts.filter { !$0.isEmpty }
        return named.isEmpty ? nil : .string(named.joined(separator: " "))
    }

    /// PL -> an identifier: value `pointOfCare^room^bed`, system from the facility (PL-4) or the fallback.
    func locationIdentifier(_ value: V2Value) -> JSONValue? {
        var parts = [value.part(1), value.part(2), value.part(3)].map { $0.trimmingWhitespace() }
        while parts.last?.isEmpty == true { parts.removeLast() }
        guard !parts.isEmpty else { return nil }
        let system = terminology.identifierSystem(namespace: value.part(4, 1), universalID: value.part(4, 2),
                                                  type: value.part(4, 3)) ?? fallbackSystem
        return identifier(value: parts.joined(separator: "^"), system: system, type: "")
    }
}
