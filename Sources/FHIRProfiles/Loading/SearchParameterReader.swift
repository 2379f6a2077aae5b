import FHIRCore

/// Reads `searchparameters.json`: resource type -> code -> definition.
enum SearchParameterReader {
    static func read(_ file: ProfileFile) throws(ProfilesError) -> [String: [SearchParameterDefinition]] {
        var result: [String: [SearchParameterDefinition]] = [:]
        for (resourceType, value) in file.root {
            guard let parameters = value.objectValue else { throw file.invalid("must be an object", at: resourceType) }
            var definitions: [SearchParameterDefinition] = []
            for (code, entry) in parameters {
                let at = "\(resourceType).\(code)"
                guard let object = entry.objectValue else { throw file.invalid("must be an object", at: at) }
                let typeName = try file.optionalString(object, "type", at: at) ?? ""
                guard let type = SearchParameterDefinition.ParameterType(rawValue: typeName) else {
                    throw file.invalid("unknown search parameter type '\(typeName)'", at: at)
                }
                var components: [SearchParameterDefinition.Component] = []
                for part in object["component"]?.arrayValue ?? [] {
                    guard let part = part.objectValue else { throw file.invalid("component must be an object", at: at) }
                    components.append(.init(
                        code: try file.optionalString(part, "code", at: at) ?? "",
                        expression: try file.optionalString(part, "expression", at: at) ?? ""))
                }
                definitions.append(SearchParameterDefinition(
                    code: code, type: type, expression: try file.optionalString(object, "expression", at: at),
                    targets: try file.strings(object, "target", at: at),
                    modifiers: try file.strings(object, "modifier", at: at),
                    comparators: try file.strings(object, "comparator", at: at),
                    chains: try file.strings(object, "chain", at: at),
                    multipleOr: try file.optionalBool(object, "multipleOr", at: at),
                    multipleAnd: try file.optionalBool(object, "multipleAnd", at: at), components: components))
            }
            result[resourceType] = definitions.sorted { $0.code < $1.code }
        }
        return result
    }

    /// Reads `compartments.json`'s Patient compartment: resource type -> parameter codes.
    static func patientCompartment(_ file: ProfileFile) throws(ProfilesError) -> [String: [String]] {
        let patient = try file.object(file.root, "Patient", at: "Patient")
        var result: [String: [String]] = [:]
        for (resourceType, _) in patient {
            result[resourceType] = try file.strings(patient, resourceType, at: "Patient.\(resourceType)")
        }
        return result
    }
}
