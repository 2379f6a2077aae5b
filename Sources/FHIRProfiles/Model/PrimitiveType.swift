import Foundation

/// A FHIR primitive datatype, with the JSON kind its values take.
///
/// The R4 primitives have hand-written checks equivalent to their StructureDefinition regexes (no regex
/// matching on the hot path); a primitive the validator does not know by name is checked with the regex
/// from `structures.json`, compiled once at load time.
enum PrimitiveType: Sendable, Hashable {
    case boolean, integer, positiveInt, unsignedInt, decimal
    case string, markdown, code, id, uri, url, canonical, oid, uuid
    case date, dateTime, instant, time, base64Binary, xhtml
    /// A primitive known only from the tables: its JSON kind and compiled regex, if any.
    case other(name: String, json: JSONKind, pattern: PrimitivePattern?)

    /// The JSON kinds a primitive value can take.
    enum JSONKind: String, Sendable, Hashable {
        case boolean, number, string
    }

    /// The primitive named `name` in the tables.
    init(name: String, json: String, regex: String?) {
        switch name {
        case "boolean": self = .boolean
        case "integer": self = .integer
        case "positiveInt": self = .positiveInt
        case "unsignedInt": self = .unsignedInt
        case "decimal": self = .decimal
        case "string": self = .string
        case "markdown": self = .markdown
        case "code": self = .code
        case "id": self = .id
        case "uri": self = .uri
        case "url": self = .url
        case "canonical": self = .canonical
        case "oid": self = .oid
        case "uuid": self = .uuid
        case "date": self = .date
        case "dateTime": self = .dateTime
        case "instant": self = .instant
        case "time": self = .time
        case "base64Binary": self = .base64Binary
        case "xhtml": self = .xhtml
        default:
            self = .other(
                name: name, json: JSONKind(rawValue: json) ?? .string, pattern: regex.flatMap(PrimitivePattern.init))
        }
    }

    /// The JSON kind values of this type must have.
    var jsonKind: JSONKind {
        switch self {
        case .boolean: .boolean
        case .integer, .positiveInt, .unsignedInt, .decimal: .number
        case .other(_, let json, _): json
        default: .string
        }
    }

    /// The type's FHIR name, for messages.
    var name: String {
        switch self {
        case .other(let name, _, _): name
        default: "\(self)"
        }
    }
}

/// A compiled, anchored primitive regex.
struct PrimitivePattern: Sendable, Hashable {
    /// The regex source as written in the tables.
    let source: String
    private let box: RegexBox

    init?(_ source: String) {
        guard let expression = try? NSRegularExpression(pattern: "^(?:\(source))$") else { return nil }
        self.source = source
        self.box = RegexBox(expression: expression)
    }

    /// Whether the whole of `text` matches.
    func matches(_ text: String) -> Bool {
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return box.expression.firstMatch(in: text, range: range) != nil
    }

    static func == (lhs: PrimitivePattern, rhs: PrimitivePattern) -> Bool { lhs.source == rhs.source }
    func hash(into hasher: inout Hasher) { hasher.combine(source) }
}

/// Holds a compiled regex. `@unchecked Sendable`: an `NSRegularExpression` is immutable after creation and
/// documented as safe to use from several threads at once.
private final class RegexBox: @unchecked Sendable {
    let expression: NSRegularExpression
    init(expression: NSRegularExpression) { self.expression = expression }
}
