import FHIRCore
import Foundation
import HL7v2

extension MessageConversion {
    /// The raw values of a source in `scope`.
    func values(_ source: SourcePath, in scope: Scope) -> [V2Value] {
        switch source {
        case .field(let path): return view.values(path, in: scope)
        case .messageID: return [V2Value(parts: [[context.messageID]])]
        case .receivedAt: return [V2Value(parts: [[HL7Acknowledgement.timestampText(context.receivedAt)]])]
        }
    }

    /// The first text (component 1) of the first alternative that has one.
    func text(_ alternatives: [SourcePath], in scope: Scope) -> String? {
        for source in alternatives {
            if let text = values(source, in: scope).first?.part(1), !text.isEmpty { return text }
        }
        return nil
    }

    func holds(_ condition: Condition, in scope: Scope) throws(MappingError) -> Bool {
        for alternatives in condition.present where text(alternatives, in: scope) == nil { return false }
        for alternatives in condition.absent where text(alternatives, in: scope) != nil { return false }
        if let path = condition.path {
            let value = text(path, in: scope)?.trimmingWhitespace().uppercased()
            if let allowed = condition.values, !allowed.contains(where: { $0.uppercased() == value }) { return false }
            if let excluded = condition.excluded, let value, excluded.contains(where: { $0.uppercased() == value }) {
                return false
            }
        }
        if let triggers = condition.triggers, !triggers.contains(view.message.triggerEvent ?? "") { return false }
        return true
    }

    func render(_ template: Template, in scope: Scope) -> String? {
        var result = ""
        for piece in template.pieces {
            switch piece {
            case .literal(let text): result += text
            case .value(let paths, let optional):
                if let text = text(paths, in: scope) { result += text } else if !optional { return nil }
            }
        }
        return result
    }

    func options(for field: FieldRule, in scope: Scope) -> ConversionOptions {
        ConversionOptions(
            table: field.table.flatMap { converter.terminology.tables[$0] },
            inlineMap: field.inlineMap,
            unit: field.unit.flatMap { values($0, in: scope).first },
            currency: field.currency.flatMap { text([$0], in: scope) }
        )
    }

    /// `from`/`concat`: the converted values of the first source that has any (or of all, with `concat`).
    func read(_ field: FieldRule, in scope: Scope) throws(MappingError) -> [JSONValue] {
        let options = options(for: field, in: scope)
        var results: [JSONValue] = []
        for source in field.from {
            let raw = values(source, in: scope)
            if raw.isEmpty { continue }
            if field.converter == .text {
                let joined = raw.map { $0.part(1) }.joined(separator: "\n")
                if let value = try convert(V2Value(parts: [[joined]]), field, options, source, scope) { results.append(value) }
            } else {
                for value in raw {
                    if let converted = try convert(value, field, options, source, scope) { results.append(converted) }
                }
            }
            if !results.isEmpty && !field.concat { break }
        }
        return results
    }

    private func convert(_ value: V2Value, _ field: FieldRule, _ options: ConversionOptions, _ source: SourcePath,
                         _ scope: Scope) throws(MappingError) -> JSONValue? {
        do {
            return try converter.convert(value, field.converter, options)
        } catch {
            throw self.error(error.reason, at: source, in: scope)
        }
    }

    /// `sum:` the decimal total of a value over every segment of its ID in scope, converted (Money, decimal).
    func total(_ source: SourcePath, _ field: FieldRule, in scope: Scope) throws(MappingError) -> [JSONValue] {
        guard case .field(let path) = source else { return [] }
        var sum = Decimal(0)
        var fractionDigits = 0
        var currency = ""
        var count = 0
        for position in view.positions(of: path.segmentID, in: scope) {
            let segmentScope = Scope(anchor: position)
            guard let value = view.values(path, in: segmentScope).first else { continue }
            let text: String
            do { text = try V2Primitives.decimal(value.part(1)) } catch {
                throw self.error(error.reason, at: source, in: segmentScope)
            }
            guard let amount = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else { continue }
            sum += amount
            count += 1
            fractionDigits = max(fractionDigits, text.split(separator: ".").dropFirst().first?.count ?? 0)
            if currency.isEmpty { currency = (value.parts.first?.count ?? 0) > 1 ? value.part(1, 2) : value.part(2) }
        }
        guard count > 0 else { return [] }
        var rounded = Decimal()
        var exact = sum
        NSDecimalRound(&rounded, &exact, fractionDigits, .plain)
        var text = NSDecimalNumber(decimal: rounded).stringValue
        let written = text.split(separator: ".").dropFirst().first?.count ?? 0
        if fractionDigits > 0 {
            if written == 0 { text += "." }
            text += String(repeating: "0", count: fractionDigits - written)
        }
        var options = options(for: field, in: scope)
        if options.currency == nil, !currency.isEmpty { options.currency = currency }
        return try convert(V2Value(parts: [[text]]), field, options, source, scope).map { [$0] } ?? []
    }

    /// An `invalidContent` error located at the segment and field `source` names.
    func error(_ message: String, at source: SourcePath?, in scope: Scope) -> MappingError {
        guard case .field(let path) = source else { return MappingError(.invalidContent, message) }
        let position = view.position(of: path.segmentID, in: scope)
        let occurrence = position.flatMap { view.positions[path.segmentID]?.firstIndex(of: $0) }.map { $0 + 1 }
        return MappingError(.invalidContent, message, segment: path.segmentID, occurrence: occurrence ?? 1, field: path.field)
    }
}
