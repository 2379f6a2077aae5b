import FHIRCore
import Foundation
import SafeXML

extension CDAValueReader {
    /// `recordTarget/patientRole` -> the patient: ids, names, gender, birth date, addresses and telecoms.
    func patient(_ role: SafeXMLElement) throws(ConversionFailure) -> LabPatient {
        var patient = LabPatient()
        patient.identifiers = identifiers(of: role)
        patient.addresses = role.cdaChildren("addr").compactMap(address)
        patient.telecoms = role.cdaChildren("telecom").compactMap(contactPoint)
        guard let person = role.cdaChild("patient") else { return patient }
        patient.names = person.cdaChildren("name").compactMap(humanName)
        if let gender = person.cdaChild("administrativeGenderCode") {
            patient.gender = gender.nonEmptyAttribute("code").flatMap { terminology.gender[$0] }
                ?? (gender.attribute("nullFlavor") != nil ? "unknown" : nil)
        }
        if let birth = try dateTime(person.cdaChild("birthTime")) { patient.birthDate = String(birth.prefix { $0 != "T" }) }
        return patient
    }

    /// `representedOrganization` (or `serviceProviderOrganization`) -> the performing organization.
    func organization(_ element: SafeXMLElement) -> LabOrganization? {
        var organization = LabOrganization()
        organization.identifiers = identifiers(of: element)
        organization.name = element.cdaChildren("name").map(\.foldedText).first { !$0.isEmpty }
        organization.addresses = element.cdaChildren("addr").compactMap(address)
        organization.telecoms = element.cdaChildren("telecom").compactMap(contactPoint)
        return organization.identifiers.isEmpty && organization.name == nil ? nil : organization
    }

    /// The organization that performed an act: `performer/assignedEntity/representedOrganization`, else the
    /// author's `assignedAuthor/representedOrganization`.
    func performingOrganization(of act: SafeXMLElement) -> LabOrganization? {
        for performer in act.cdaChildren("performer") {
            if let found = performer.cdaChild("assignedEntity", "representedOrganization").flatMap(organization) {
                return found
            }
        }
        for author in act.cdaChildren("author") {
            if let found = author.cdaChild("assignedAuthor", "representedOrganization").flatMap(organization) {
                return found
            }
        }
        return nil
    }

    /// PN -> HumanName (`use="L"` is the official name).
    func humanName(_ name: SafeXMLElement) -> JSONValue? {
        var object = JSONObject()
        if name.attribute("use")?.split(separator: " ").contains("L") == true { object["use"] = .string("official") }
        if let family = name.cdaChildren("family").map(\.foldedText).first(where: { !$0.isEmpty }) {
            object["family"] = .string(family)
        }
        for (part, key) in [("given", "given"), ("prefix", "prefix"), ("suffix", "suffix")] {
            let values = name.cdaChildren(part).map(\.foldedText).filter { !$0.isEmpty }
            if !values.isEmpty { object[key] = .array(values.map(JSONValue.string)) }
        }
        if object["family"] == nil, object["given"] == nil {
            let text = name.foldedText
            if !text.isEmpty { object["text"] = .string(text) }
        }
        return object.count > (object["use"] == nil ? 0 : 1) ? .object(object) : nil
    }

    /// AD -> Address (`use` H/HP -> home, WP -> work, TMP -> temp, OLD/BAD -> old).
    func address(_ addr: SafeXMLElement) -> JSONValue? {
        var object = JSONObject()
        let uses = ["H": "home", "HP": "home", "WP": "work", "TMP": "temp", "OLD": "old", "BAD": "old"]
        if let use = addr.attribute("use")?.split(separator: " ").compactMap({ uses[String($0)] }).first {
            object["use"] = .string(use)
        }
        let lines = addr.cdaChildren("streetAddressLine").map(\.foldedText).filter { !$0.isEmpty }
        if !lines.isEmpty { object["line"] = .array(lines.map(JSONValue.string)) }
        for (part, key) in [("city", "city"), ("county", "district"), ("state", "state"), ("postalCode", "postalCode"),
                            ("country", "country")] {
            if let text = addr.cdaChildren(part).map(\.foldedText).first(where: { !$0.isEmpty }) { object[key] = .string(text) }
        }
        return object.count > (object["use"] == nil ? 0 : 1) ? .object(object) : nil
    }

    /// TEL -> ContactPoint: `tel:` a phone, `mailto:` an email, `fax:` a fax, other schemes a URL;
    /// `use` HP/H -> home, WP -> work, MC -> mobile.
    func contactPoint(_ telecom: SafeXMLElement) -> JSONValue? {
        guard let written = telecom.nonEmptyAttribute("value") else { return nil }
        let schemes = [("tel:", "phone"), ("mailto:", "email"), ("fax:", "fax")]
        var system = "url"
        var value = written
        for (scheme, name) in schemes where written.lowercased().hasPrefix(scheme) {
            system = name
            value = String(written.dropFirst(scheme.count))
        }
        var object = JSONObject([("system", .string(system)), ("value", .string(value))])
        let uses = ["HP": "home", "H": "home", "WP": "work", "MC": "mobile", "TMP": "temp"]
        if let use = telecom.attribute("use")?.split(separator: " ").compactMap({ uses[String($0)] }).first {
            object["use"] = .string(use)
        }
        return .object(object)
    }
}
