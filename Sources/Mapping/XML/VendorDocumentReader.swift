import FHIRCore
import Foundation
import SafeXML

/// Applies one vendor mapping to a document: the patient, the performing lab, and per order a report with its
/// results, read where the mapping's selectors say.
struct VendorDocumentReader {
    let mapping: VendorMapping
    let terminology: Terminology
    let converter: ValueConverter

    init(mapping: VendorMapping, terminology: Terminology) {
        self.mapping = mapping
        self.terminology = terminology
        converter = ValueConverter(terminology: terminology, fallbackSystem: mapping.identifierSystem)
    }

    /// The document's id (`document-id`), for duplicate detection.
    func documentID(_ root: SafeXMLElement) throws(MappingError) -> String? {
        try mapping.documentID.flatMap { rule throws(MappingError) in try text(rule, in: root, at: "document-id") }
    }

    func read(_ root: SafeXMLElement) throws(MappingError) -> LabDocument {
        var document = LabDocument()
        if let rule = mapping.patient { document.patient = try patient(rule, in: root) }
        let performer = try mapping.performer.flatMap { rule throws(MappingError) in try organization(rule, in: root) }
        let orders = root.select(mapping.orders.each)
        guard !orders.isEmpty else {
            throw MappingError(.invalidContent, "no order at \(mapping.orders.each) (\(mapping.file))")
        }
        for (index, order) in orders.enumerated() {
            var report = try self.report(order, at: "order \(index + 1)")
            report.performer = performer
            document.reports.append(report)
        }
        return document
    }

    /// A rule's text with its map or code table, default and time format applied; nil when absent.
    func text(_ rule: XMLValueRule, in element: SafeXMLElement, at place: String, asDate: Bool = false) throws(MappingError) -> String? {
        guard let raw = rule.text(in: element) else { return rule.defaultValue }
        return try finish(raw, rule, at: place, asDate: asDate)
    }

    func finish(_ raw: String, _ rule: XMLValueRule, at place: String, asDate: Bool = false) throws(MappingError) -> String {
        var value = raw
        if let map = rule.map {
            guard let mapped = map[raw] ?? map[raw.uppercased()] ?? rule.defaultValue else {
                throw failure("\"\(raw)\" is not one of \(map.keys.sorted().joined(separator: ", "))", rule, at: place)
            }
            value = mapped
        } else if let table = rule.table {
            guard let mapped = table.lookup(raw)?.code ?? rule.defaultValue else {
                throw failure("\"\(raw)\" is not in code table \(table.name)", rule, at: place)
            }
            value = mapped
        }
        if let format = rule.format {
            do {
                value = try format.convert(value, defaultOffset: mapping.timezoneOffset ?? terminology.defaultOffset, asDate: asDate)
            } catch {
                throw failure(error.reason, rule, at: place)
            }
        }
        return value
    }

    func failure(_ reason: String, _ rule: XMLValueRule, at place: String) -> MappingError {
        MappingError(.invalidContent, "\(place) (\(rule.described), \(rule.location)): \(reason)")
    }

    /// A CodeableConcept from a code rule: the coding (system name through `coding-systems`), else the display
    /// as text.
    func codeableConcept(_ rule: XMLCodeRule, in element: SafeXMLElement, at place: String) throws(MappingError) -> JSONValue? {
        let code = try text(rule.code, in: element, at: place) ?? ""
        let system = try rule.system.flatMap { rule throws(MappingError) in try text(rule, in: element, at: place) } ?? ""
        let display = try rule.display.flatMap { rule throws(MappingError) in try text(rule, in: element, at: place) } ?? ""
        if let coding = converter.plainCoding(code: code, display: display, system: system) {
            return .object(JSONObject([("coding", .array([coding]))]))
        }
        return display.isEmpty ? nil : .object(JSONObject([("text", .string(display))]))
    }

    /// An Identifier; the system is a URI as written, or a namespace looked up in `identifier-systems`.
    func identifier(_ rule: XMLIdentifierRule, in element: SafeXMLElement, at place: String) throws(MappingError) -> JSONValue? {
        guard let value = try text(rule.value, in: element, at: place) else { return nil }
        let written = try rule.system.flatMap { rule throws(MappingError) in try text(rule, in: element, at: place) }
        let system = written.map { $0.contains(":") ? $0 : terminology.identifierSystem(namespace: $0, universalID: "", type: "") }
            ?? nil
        return .object(JSONObject([("system", .string(system ?? mapping.identifierSystem)), ("value", .string(value))]))
    }

    func patient(_ rule: VendorPatientRule, in root: SafeXMLElement) throws(MappingError) -> LabPatient {
        let element = rule.at.flatMap { root.select($0).first } ?? root
        guard let identifier = try identifier(rule.identifier, in: element, at: "patient") else {
            throw MappingError(.invalidContent, "patient: no identifier at \(rule.identifier.value.described)")
        }
        var patient = LabPatient(identifiers: [identifier])
        var name = JSONObject()
        if let family = try rule.family.flatMap({ rule throws(MappingError) in try text(rule, in: element, at: "patient family") }) {
            name["family"] = .string(family)
        }
        let given = rule.given.map { $0.texts(in: element) } ?? []
        if !given.isEmpty { name["given"] = .array(given.map(JSONValue.string)) }
        if !name.isEmpty { patient.names = [.object(name)] }
        patient.gender = try rule.gender.flatMap { rule throws(MappingError) in try text(rule, in: element, at: "patient gender") }
        patient.birthDate = try rule.birthDate.flatMap { rule throws(MappingError) in
            try text(rule, in: element, at: "patient birth date", asDate: true)
        }
        return patient
    }

    func organization(_ rule: VendorPerformerRule, in root: SafeXMLElement) throws(MappingError) -> LabOrganization? {
        var organization = LabOrganization()
        organization.name = try rule.name.flatMap { rule throws(MappingError) in try text(rule, in: root, at: "performer") }
        if let identifier = try rule.identifier.flatMap({ rule throws(MappingError) in try identifier(rule, in: root, at: "performer") }) {
            organization.identifiers = [identifier]
        }
        return organization.name == nil && organization.identifiers.isEmpty ? nil : organization
    }
}
