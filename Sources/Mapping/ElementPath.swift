import FHIRCore

/// A FHIR element path inside a resource, as written in mapping files: `gender`, `name[]`, `period.start`,
/// `valueQuantity`. `[]` on the last step appends each value to an array; on an earlier step it means the
/// first element of that array (created when missing). A `#label` suffix (`participant[]#patient`) lets one
/// element have several rules.
struct ElementPath: Sendable, Hashable, CustomStringConvertible {
    struct Step: Sendable, Hashable {
        var name: String
        var isArray: Bool
    }
    var steps: [Step]
    var label: String?

    init(parsing written: String) throws(MappingError) {
        let pieces = written.split(separator: "#", maxSplits: 1)
        let text = String(pieces.first ?? "")
        label = pieces.count > 1 ? String(pieces[1]) : nil
        var steps: [Step] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            let isArray = part.hasSuffix("[]")
            let name = isArray ? String(part.dropLast(2)) : String(part)
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw MappingError(.invalidMapping, "\"\(text)\" is not an element path such as name[] or period.start")
            }
            steps.append(Step(name: name, isArray: isArray))
        }
        self.steps = steps
    }

    /// Whether the last step collects every value into an array.
    var collectsMany: Bool { steps.last?.isArray ?? false }

    var description: String {
        steps.map { $0.name + ($0.isArray ? "[]" : "") }.joined(separator: ".") + (label.map { "#" + $0 } ?? "")
    }

    /// Writes `values` into `object`: all of them when the path ends with `[]`, else the first.
    func write(_ values: [JSONValue], into object: inout JSONObject) {
        guard !values.isEmpty else { return }
        write(values, steps: steps[...], into: &object)
    }

    private func write(_ values: [JSONValue], steps: ArraySlice<Step>, into object: inout JSONObject) {
        guard let step = steps.first else { return }
        let rest = steps.dropFirst()
        if rest.isEmpty {
            if step.isArray {
                object[step.name] = .array((object[step.name]?.arrayValue ?? []) + values)
            } else if let first = values.first {
                object[step.name] = first
            }
            return
        }
        if step.isArray {
            var elements = object[step.name]?.arrayValue ?? []
            var child = elements.first?.objectValue ?? JSONObject()
            write(values, steps: rest, into: &child)
            if elements.isEmpty { elements.append(.object(child)) } else { elements[0] = .object(child) }
            object[step.name] = .array(elements)
        } else {
            var child = object[step.name]?.objectValue ?? JSONObject()
            write(values, steps: rest, into: &child)
            object[step.name] = .object(child)
        }
    }
}
