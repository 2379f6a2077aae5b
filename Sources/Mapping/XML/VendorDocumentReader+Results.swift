import FHIRCore
import Foundation
import SafeXML

extension VendorDocumentReader {
    /// One order: the DiagnosticReport (identified by filler, then placer number) and its results.
    func report(_ order: SafeXMLElement, at place: String) throws(MappingError) -> LabReport {
        let rule = mapping.orders
        var identifiers: [JSONValue] = []
        for identifierRule in [rule.filler, rule.placer].compactMap({ $0 }) {
            if let identifier = try identifier(identifierRule, in: order, at: place) { identifiers.append(identifier) }
        }
        guard let orderNumber = identifiers.first else {
            throw MappingError(.invalidContent, "\(place): no placer or filler number")
        }
        guard let code = try codeableConcept(rule.code, in: order, at: place) else {
            throw MappingError(.invalidContent, "\(place): no code at \(rule.code.code.described)")
        }
        let status = try rule.status.flatMap { rule throws(MappingError) in try text(rule, in: order, at: place) } ?? "final"
        var report = LabReport(identifiers: identifiers, code: code, status: status)
        report.effective = try rule.effective.flatMap { rule throws(MappingError) in try text(rule, in: order, at: place) }
            .map(LabEffectiveTime.dateTime)
        report.issued = try instant(rule.issued, in: order, at: place)
        for (index, element) in order.select(rule.results.each).enumerated() {
            var result = try self.result(element, order: orderNumber, at: "\(place), result \(index + 1)")
            if result.effective == nil { result.effective = report.effective }
            if result.issued == nil { result.issued = report.issued }
            report.results.append(result)
        }
        return report
    }

    /// An `issued` time: only with a time of day (FHIR instant).
    func instant(_ rule: XMLValueRule?, in element: SafeXMLElement, at place: String) throws(MappingError) -> String? {
        guard let rule, let text = try text(rule, in: element, at: place) else { return nil }
        return text.contains("T") ? text : nil
    }

    /// One result: an Observation identified by `ORDER-ID` in the order number's system.
    func result(_ element: SafeXMLElement, order: JSONValue, at place: String) throws(MappingError) -> LabResult {
        let rule = mapping.orders.results
        guard let id = try text(rule.id, in: element, at: place) else {
            throw MappingError(.invalidContent, "\(place): no result id at \(rule.id.described)")
        }
        guard let code = try codeableConcept(rule.code, in: element, at: place) else {
            throw MappingError(.invalidContent, "\(place): no code at \(rule.code.code.described)")
        }
        let status = try rule.status.flatMap { rule throws(MappingError) in try text(rule, in: element, at: place) } ?? "final"
        var result = LabResult(code: code, status: status)
        let system = order["system"]?.stringValue ?? mapping.identifierSystem
        let number = order["value"]?.stringValue ?? ""
        result.identifiers = [.object(JSONObject([("system", .string(system)), ("value", .string(number + "-" + id))]))]
        result.effective = try rule.effective.flatMap { rule throws(MappingError) in try text(rule, in: element, at: place) }
            .map(LabEffectiveTime.dateTime)
        result.issued = try instant(rule.issued, in: element, at: place)
        let unit = try rule.unit.flatMap { rule throws(MappingError) in try text(rule, in: element, at: place) }
            .map { V2Value(parts: [[$0], [""], [rule.ucumUnits ? "UCUM" : ""]]) }
        result.value = try value(element, unit: unit, at: place)
        if let flag = rule.flag, let raw = flag.text(in: element) {
            result.interpretation = [try interpretation(raw, flag, at: place)]
        }
        if let rangeText = try rule.rangeText.flatMap({ rule throws(MappingError) in try text(rule, in: element, at: place) }),
           let range = converter.referenceRange(rangeText, unit: unit) {
            result.referenceRanges = [range]
        } else if let range = try bounds(element, unit: unit, at: place) {
            result.referenceRanges = [range]
        }
        result.notes = rule.note.map { $0.texts(in: element) } ?? []
        return result
    }

    /// The value by its type (`value-type` mapped to quantity, string or coded; without it, a number with an
    /// optional comparator is a Quantity and other text a string).
    func value(_ element: SafeXMLElement, unit: V2Value?, at place: String) throws(MappingError) -> (key: String, value: JSONValue)? {
        let rule = mapping.orders.results
        let type = try rule.valueType.flatMap { rule throws(MappingError) in try text(rule, in: element, at: place) }
        if type == "coded", let codeRule = rule.valueCode,
           let concept = try codeableConcept(codeRule, in: element, at: place) {
            return ("valueCodeableConcept", concept)
        }
        guard let valueRule = rule.value, let raw = valueRule.text(in: element) else { return nil }
        switch type {
        case "string":
            return ("valueString", .string(raw))
        case "coded":
            return ("valueCodeableConcept", .object(JSONObject([("text", .string(raw))])))
        case "quantity", nil:
            if let quantity = quantity(raw, unit: unit) { return ("valueQuantity", quantity) }
            if type == nil { return ("valueString", .string(raw)) }
            throw failure("\"\(raw)\" is not a number", valueRule, at: place)
        case let other?:
            throw failure("value-type gave \"\(other)\"; expected quantity, string or coded", valueRule, at: place)
        }
    }

    /// `12.50`, `<0.5`, `>= 200` -> a Quantity with the decimal as written and the comparator.
    func quantity(_ text: String, unit: V2Value?) -> JSONValue? {
        var rest = Substring(text)
        var comparator: String?
        for candidate in ["<=", ">=", "<", ">"] where rest.hasPrefix(candidate) {
            comparator = candidate
            rest = rest.dropFirst(candidate.count)
            break
        }
        guard let number = try? V2Primitives.decimal(rest.trimmingWhitespace()) else { return nil }
        return converter.quantity(number, unit: unit, comparator: comparator)
    }

    /// `range-low` / `range-high` as a referenceRange.
    func bounds(_ element: SafeXMLElement, unit: V2Value?, at place: String) throws(MappingError) -> JSONValue? {
        let rule = mapping.orders.results
        var object = JSONObject()
        for (key, boundRule) in [("low", rule.rangeLow), ("high", rule.rangeHigh)] {
            guard let boundRule, let raw = try text(boundRule, in: element, at: place) else { continue }
            guard let number = try? V2Primitives.decimal(raw) else { throw failure("\"\(raw)\" is not a number", boundRule, at: place) }
            object[key] = converter.quantity(number, unit: unit)
        }
        return object.isEmpty ? nil : .object(object)
    }

    /// An abnormal flag: through its code table (`0078` gives v3 ObservationInterpretation codings), else the
    /// (mapped) text as a v3 ObservationInterpretation code.
    func interpretation(_ raw: String, _ rule: XMLValueRule, at place: String) throws(MappingError) -> JSONValue {
        if let table = rule.table {
            guard let mapped = table.lookup(raw) else { throw failure("\"\(raw)\" is not in code table \(table.name)", rule, at: place) }
            return .object(JSONObject([("coding", .array([mapped.coding]))]))
        }
        let code = try finish(raw, rule, at: place)
        let coding = JSONObject([("system", .string("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation")),
                                 ("code", .string(code))])
        return .object(JSONObject([("coding", .array([.object(coding)]))]))
    }
}
