import FHIRCore
import Foundation

extension ValueConverter {
    /// CWE/CE/CNE -> CodeableConcept: the identifier and the alternate identifier as codings (systems from
    /// CWE-3/CWE-6), text from CWE-9 or CWE-2. With a code table, the mapped coding comes first.
    func codeableConcept(_ value: V2Value, _ options: ConversionOptions) -> JSONValue? {
        var codings: [JSONValue] = []
        if let table = options.table, let mapped = table.lookup(value.part(1)) { codings.append(mapped.coding) }
        if options.table == nil || codings.isEmpty {
            for (code, display, system) in [(1, 2, 3), (4, 5, 6)] {
                if let coding = plainCoding(code: value.part(code), display: value.part(display), system: value.part(system)) {
                    codings.append(coding)
                }
            }
        }
        var object = JSONObject()
        if !codings.isEmpty { object["coding"] = .array(codings) }
        if let text = nonEmpty(value.part(9)) ?? (codings.isEmpty ? nonEmpty(value.part(2)) : nil) {
            object["text"] = text
        }
        return object.isEmpty ? nil : .object(object)
    }

    /// A single Coding: from the code table when given (nil when the code is not in it), else CWE-1..3.
    func coding(_ value: V2Value, _ options: ConversionOptions) -> JSONValue? {
        if let table = options.table { return table.lookup(value.part(1))?.coding }
        return plainCoding(code: value.part(1), display: value.part(2), system: value.part(3))
    }

    func plainCoding(code: String, display: String, system: String) -> JSONValue? {
        let code = code.trimmingWhitespace()
        guard !code.isEmpty else { return nil }
        var object = JSONObject()
        if let uri = terminology.codingSystem(system) { object["system"] = .string(uri) }
        object["code"] = .string(code)
        if let display = nonEmpty(display) { object["display"] = display }
        return .object(object)
    }
}
