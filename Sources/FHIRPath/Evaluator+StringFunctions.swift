import FHIRCore
import Foundation

extension Evaluator {
    /// String, math, conversion and date functions: all take a single input item.
    func stringFunction(_ call: Call, input: [FHIRPathValue]) throws(FHIRPathError) -> [FHIRPathValue] {
        let position = call.position
        switch call.function {
        case .now: return Evaluator.now(dateOnly: false).map { [.dateTime($0)] } ?? []
        case .today: return Evaluator.now(dateOnly: true).map { [.date($0)] } ?? []
        case .timeOfDay:
            let text = Evaluator.now(dateOnly: false)?.text ?? ""
            let time = text.split(separator: "T").last.map { String($0.prefix(12)) } ?? ""
            return FHIRPathTemporal(time: time).map { [.time($0)] } ?? []
        case .join:
            let separator = call.arguments.isEmpty ? "" : (try stringArgument(call, 0) ?? "")
            return [.string(input.compactMap { $0.systemValue.flatMap(Evaluator.text) }.joined(separator: separator))]
        default: break
        }
        guard let value = try singleton(input, at: position) else { return [] }
        if let result = try convert(call, value) { return result }
        if let result = try math(call, value) { return result }
        guard let text = Evaluator.text(value) else {
            throw FHIRPathError(.typeMismatch, "\(call.function.rawValue)() needs a string, got \(value.typeName ?? "?")",
                                at: position)
        }
        switch call.function {
        case .length: return [.integer(text.count)]
        case .upper: return [.string(text.uppercased())]
        case .lower: return [.string(text.lowercased())]
        case .trim: return [.string(text.trimmingCharacters(in: .whitespacesAndNewlines))]
        case .toChars: return text.map { .string(String($0)) }
        case .startsWith: return try stringArgument(call, 0).map { [.boolean(text.hasPrefix($0))] } ?? []
        case .endsWith: return try stringArgument(call, 0).map { [.boolean(text.hasSuffix($0))] } ?? []
        case .contains: return try stringArgument(call, 0).map { [.boolean($0.isEmpty || text.contains($0))] } ?? []
        case .indexOf:
            guard let part = try stringArgument(call, 0) else { return [] }
            if part.isEmpty { return [.integer(0)] }
            guard let range = text.range(of: part) else { return [.integer(-1)] }
            return [.integer(text.distance(from: text.startIndex, to: range.lowerBound))]
        case .substring:
            guard let start = try integerArgument(call, 0) else { return [] }
            let characters = Array(text)
            guard start >= 0, start < characters.count else { return [] }
            let length = call.arguments.count > 1 ? (try integerArgument(call, 1) ?? characters.count) : characters.count
            return [.string(String(characters[start..<Swift.min(characters.count, start + Swift.max(0, length))]))]
        case .replace:
            guard let pattern = try stringArgument(call, 0), let replacement = try stringArgument(call, 1) else { return [] }
            if pattern.isEmpty { return [.string(text.map { replacement + String($0) }.joined() + replacement)] }
            return [.string(text.replacingOccurrences(of: pattern, with: replacement))]
        case .matches:
            guard let pattern = try stringArgument(call, 0) else { return [] }
            let regex = try Evaluator.regex(pattern, at: position)
            let range = NSRange(text.startIndex..., in: text)
            return [.boolean(regex.firstMatch(in: text, range: range) != nil)]
        case .replaceMatches:
            guard let pattern = try stringArgument(call, 0), let replacement = try stringArgument(call, 1) else { return [] }
            let regex = try Evaluator.regex(pattern, at: position)
            let range = NSRange(text.startIndex..., in: text)
            return [.string(regex.stringByReplacingMatches(in: text, range: range, withTemplate: replacement))]
        case .split:
            guard let separator = try stringArgument(call, 0), !separator.isEmpty else { return [.string(text)] }
            return text.components(separatedBy: separator).map { .string($0) }
        default:
            throw FHIRPathError(.unsupported, "\(call.function.rawValue)() is not supported", at: position)
        }
    }

    private static func regex(_ pattern: String, at position: Int) throws(FHIRPathError) -> NSRegularExpression {
        do {
            return try NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        } catch {
            throw FHIRPathError(.invalidValue, "Invalid regular expression '\(pattern)'", at: position)
        }
    }

    /// The `toX()`/`convertsToX()` functions; nil when `call` is not one of them.
    private func convert(_ call: Call, _ value: FHIRPathValue) throws(FHIRPathError) -> [FHIRPathValue]? {
        let converted: FHIRPathValue?
        switch call.function {
        case .toString, .convertsToString: converted = Evaluator.string(of: value).map { .string($0) }
        case .toInteger, .convertsToInteger:
            switch value {
            case .integer: converted = value
            case .boolean(let flag): converted = .integer(flag ? 1 : 0)
            case .string(let text): converted = Int(text).map { .integer($0) }
            default: converted = nil
            }
        case .toDecimal, .convertsToDecimal:
            switch value {
            case .integer(let number): converted = .decimal(String(number))
            case .decimal: converted = value
            case .boolean(let flag): converted = .decimal(flag ? "1.0" : "0.0")
            case .string(let text):
                let valid = text.wholeMatch(of: /[+-]?[0-9]+(\.[0-9]+)?/) != nil
                converted = valid ? .decimal(text.hasPrefix("+") ? String(text.dropFirst()) : text) : nil
            default: converted = nil
            }
        case .toBoolean, .convertsToBoolean:
            switch value {
            case .boolean: converted = value
            case .integer(let number): converted = number == 0 || number == 1 ? .boolean(number == 1) : nil
            case .string(let text):
                let lowered = text.lowercased()
                converted = ["true", "t", "yes", "y", "1", "1.0"].contains(lowered)
                    ? .boolean(true) : (["false", "f", "no", "n", "0", "0.0"].contains(lowered) ? .boolean(false) : nil)
            default: converted = nil
            }
        case .toDate, .convertsToDate:
            converted = Evaluator.temporal(value).flatMap { FHIRPathTemporal(date: String($0.text.prefix(10))) }
                .map { .date($0) }
        case .toDateTime, .convertsToDateTime:
            converted = Evaluator.temporal(value).flatMap { $0.year == nil ? nil : FHIRPathValue.dateTime($0) }
        case .toTime, .convertsToTime:
            if case .time = value { converted = value } else {
                converted = Evaluator.text(value).flatMap { FHIRPathTemporal(time: $0) }.map { .time($0) }
            }
        case .toQuantity, .convertsToQuantity:
            switch value {
            case .quantity: converted = value
            case .integer, .decimal: converted = .quantity(FHIRPathQuantity(value: Evaluator.string(of: value) ?? "", unit: "1"))
            default: converted = nil
            }
        default:
            return nil
        }
        if call.function.rawValue.hasPrefix("convertsTo") { return [.boolean(converted != nil)] }
        return converted.map { [$0] } ?? []
    }

    /// The string form of a system value (`toString()`).
    static func string(of value: FHIRPathValue) -> String? {
        switch value {
        case .string(let text): text
        case .boolean(let flag): flag ? "true" : "false"
        case .integer(let number): String(number)
        case .decimal(let text): text
        case .date(let t), .dateTime(let t), .time(let t): t.text
        case .quantity(let quantity): quantity.description
        case .node: nil
        }
    }

    private func math(_ call: Call, _ value: FHIRPathValue) throws(FHIRPathError) -> [FHIRPathValue]? {
        let function = call.function
        guard [.abs, .ceiling, .floor, .truncate, .round, .sqrt, .exp, .ln, .log, .power].contains(function) else {
            return nil
        }
        if function == .abs, case .integer(let number) = value { return [.integer(Swift.abs(number))] }
        guard let number = Evaluator.decimal(value) else {
            throw FHIRPathError(.typeMismatch, "\(function.rawValue)() needs a number", at: call.position)
        }
        var copy = number
        var result = Decimal()
        switch function {
        case .abs: return [.decimal(Evaluator.decimalText(number < 0 ? -number : number))]
        case .ceiling, .floor, .truncate:
            let mode: NSDecimalNumber.RoundingMode = function == .ceiling ? .up
                : (function == .floor ? .down : (number < 0 ? .up : .down))
            NSDecimalRound(&result, &copy, 0, mode)
            return [.integer(NSDecimalNumber(decimal: result).intValue)]
        case .round:
            let places = call.arguments.isEmpty ? 0 : (try integerArgument(call, 0) ?? 0)
            NSDecimalRound(&result, &copy, places, .plain)
            return [.decimal(result.description)]
        default:
            let double = NSDecimalNumber(decimal: number).doubleValue
            let output: Double
            switch function {
            case .sqrt: output = double.squareRoot()
            case .exp: output = Foundation.exp(double)
            case .ln: output = Foundation.log(double)
            case .log:
                let base = try singleton(try argument(call, 0), at: call.position).flatMap(Evaluator.decimal)
                output = Foundation.log(double) / Foundation.log(NSDecimalNumber(decimal: base ?? 10).doubleValue)
            default:
                let exponent = try singleton(try argument(call, 0), at: call.position).flatMap(Evaluator.decimal)
                output = Foundation.pow(double, NSDecimalNumber(decimal: exponent ?? 1).doubleValue)
            }
            guard output.isFinite else { return [] }
            return [.decimal(String(output))]
        }
    }

    /// Now, as a DateTime with milliseconds and the local offset, or as a Date.
    static func now(dateOnly: Bool) -> FHIRPathTemporal? {
        let date = Date()
        let offset = TimeZone.current.secondsFromGMT(for: date) / 60
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + offset * 60
        let millis = Int((date.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let (year, month, day) = CivilCalendar.date(days: days)
        let rest = seconds - days * 86_400
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        let dateText = "\(year)-\(two(month))-\(two(day))"
        if dateOnly { return FHIRPathTemporal(date: dateText) }
        let sign = offset < 0 ? "-" : "+"
        let zone = offset == 0 ? "Z" : "\(sign)\(two(Swift.abs(offset) / 60)):\(two(Swift.abs(offset) % 60))"
        let millisText = String(String(millis + 1000).dropFirst())
        let text = "\(dateText)T\(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60)).\(millisText)\(zone)"
        return FHIRPathTemporal(dateTime: text)
    }
}
