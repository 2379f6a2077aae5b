import FHIRCore

extension ResourceValidator {
    /// A `code` element bound to a required value set: the code must be one the set allows.
    mutating func checkCode(_ code: String, binding: Int) {
        let valueSet = structures.valueSets[binding]
        if !valueSet.allCodes.contains(code) {
            report("code-invalid", "'\(code)' is not in the required value set \(valueSet.url)")
        }
    }

    /// A Coding or CodeableConcept bound to a required value set: each coding whose system the set draws on
    /// must have a code the set allows for that system.
    mutating func checkCodings(_ object: JSONObject, typeName: String, binding: Int) {
        switch typeName {
        case "Coding":
            checkCoding(object, binding: binding)
        case "CodeableConcept":
            guard let codings = object["coding"]?.arrayValue else { return }
            path.push("coding")
            for (index, coding) in codings.enumerated() {
                guard let coding = coding.objectValue else { continue }
                path.push(index: index)
                checkCoding(coding, binding: binding)
                path.pop()
            }
            path.pop()
        default:
            return
        }
    }

    private mutating func checkCoding(_ coding: JSONObject, binding: Int) {
        let valueSet = structures.valueSets[binding]
        guard let system = coding["system"]?.stringValue, let codes = valueSet.codesBySystem[system],
              let code = coding["code"]?.stringValue
        else { return }
        if !codes.contains(code) {
            report("code-invalid", "'\(code)' is not a \(system) code allowed by \(valueSet.url)", at: "code")
        }
    }
}
