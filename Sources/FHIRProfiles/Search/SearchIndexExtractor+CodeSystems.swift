/// The implicit system of `code` elements: the code system of their required binding
/// (https://hl7.org/fhir/R4/search.html#token), so that `gender=http://hl7.org/fhir/administrative-gender|female`
/// finds `"gender":"female"`.
extension SearchIndexExtractor {
    /// For an expression that is the plain path of a `code` element with an enforced required binding
    /// (`Patient.gender`): each code of the expanded value set that exactly one of its systems contains, with that
    /// system. Empty for any other expression, and for codes several systems share.
    static func implicitSystems(of expression: String, in structures: StructureTables) -> [String: String] {
        guard let rule = structures.element(at: expression), rule.typeName == "code", let binding = rule.binding else {
            return [:]
        }
        var systems: [String: String] = [:]
        var shared: Set<String> = []
        for (system, codes) in structures.valueSets[binding].codesBySystem {
            for code in codes where systems.updateValue(system, forKey: code) != nil { shared.insert(code) }
        }
        for code in shared { systems[code] = nil }
        return systems
    }
}

extension StructureTables {
    /// The element at `path`, a FHIRPath of element names rooted at a resource type (`Patient.contact.gender`);
    /// nil when a step is not an element name (functions, casts, unions, choice elements).
    func element(at path: String) -> ElementRule? {
        let steps = path.split(separator: ".", omittingEmptySubsequences: false)
        guard let root = steps.first.flatMap({ resources[String($0)] }) else { return nil }
        var table: Int? = root.table
        var rule: ElementRule?
        for step in steps.dropFirst() {
            guard let current = table, let next = tables[current].rules[String(step)] else { return nil }
            rule = next
            if case .complex(let index) = next.content { table = index } else { table = nil }
        }
        return rule
    }
}
