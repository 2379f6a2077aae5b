import Foundation
import Synchronization

extension ProfileRegistry {
    /// Whether a resource of `type` has at most one value for search parameter `definition`: its expression is
    /// one element path (`Patient.birthDate`, `Observation.effective`), or alternatives of one choice element
    /// (`(Observation.value as Quantity) | (Observation.value as SampledData)`), every step of which allows at
    /// most one value. Several clauses on such a parameter must then all match that one value, which lets the
    /// search engine test them together.
    /// Answers are kept per registry: every search clause parsed asks, and working one out reads the expression text.
    public func isSingleValued(_ definition: SearchParameterDefinition, for type: String) -> Bool {
        let key = [type, definition.code, definition.expression ?? ""].joined(separator: "\u{1F}")
        return singleValuedAnswers.answer(for: key) { computeIsSingleValued(definition, for: type) }
    }

    private func computeIsSingleValued(_ definition: SearchParameterDefinition, for type: String) -> Bool {
        guard let expression = definition.expression, let start = structures.resources[type]?.table else { return false }
        let paths = Set(expression.split(separator: "|").map { Self.elementPath(String($0)) })
        guard paths.count == 1, let path = paths.first, let steps = path,
              steps.first == type, steps.count > 1
        else { return false }
        var table = start
        for (position, step) in steps.dropFirst().enumerated() {
            guard structures.tables.indices.contains(table),
                  let rule = structures.tables[table].rules[step]
                    ?? structures.tables[table].rules.values.first(where: { $0.choiceBase == step }),
                  !rule.isArray
            else { return false }
            if position == steps.count - 2 { return true }
            guard case .complex(let next) = rule.content else { return false }
            table = next
        }
        return false
    }

    private static let pathPunctuation = CharacterSet(charactersIn: " ()")

    /// The steps of a plain path (`Observation.value` from `(Observation.value as Quantity)`), nil when the
    /// expression does more than name a path.
    private static func elementPath(_ text: String) -> [String]? {
        var path = text.trimmingCharacters(in: Self.pathPunctuation)
        if let range = path.range(of: " as ") { path = String(path[..<range.lowerBound]) }
        if let range = path.range(of: ".as(") { path = String(path[..<range.lowerBound]) }
        path = path.trimmingCharacters(in: Self.pathPunctuation)
        let steps = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard steps.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber } }) else { return nil }
        return steps
    }
}

/// The answers of `ProfileRegistry.isSingleValued` worked out so far, shared by the copies of one registry.
final class SingleValuedAnswers: Sendable {
    private let answers = Mutex<[String: Bool]>([:])

    func answer(for key: String, compute: () -> Bool) -> Bool {
        if let known = answers.withLock({ $0[key] }) { return known }
        let answer = compute()
        answers.withLock { $0[key] = answer }
        return answer
    }
}
