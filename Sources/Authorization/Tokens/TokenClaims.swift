import Foundation
import JWTKit

/// The claims of a token as they were sent, any names and JSON types; the checks read them by name.
///
/// As a `JWTPayload` it verifies nothing by itself: the signature is checked by jwt-kit, and the time and
/// audience claims by `ClaimChecks`, so every failure has its own reason.
struct TokenClaims: JWTPayload {
    let values: [String: ClaimValue]

    init(_ values: [String: ClaimValue]) {
        self.values = values
    }

    init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: ClaimValue].self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// A text claim; nil when absent or not text.
    func string(_ name: String) -> String? {
        if case .string(let text) = values[name] { return text }
        return nil
    }

    /// A NumericDate claim (seconds since 1970, possibly fractional).
    func date(_ name: String) -> Date? {
        if case .number(let seconds) = values[name] { return Date(timeIntervalSince1970: seconds) }
        return nil
    }

    /// A claim that is one text or a list of texts (`aud`, a role claim); nil when absent or another shape.
    func strings(_ name: String) -> [String]? {
        switch values[name] {
        case .string(let text): return [text]
        case .array(let items):
            let texts = items.compactMap { item -> String? in
                if case .string(let text) = item { return text }
                return nil
            }
            return texts.count == items.count ? texts : nil
        default: return nil
        }
    }
}

/// One JSON value of a claim.
enum ClaimValue: Codable, Sendable, Hashable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([ClaimValue])
    case object([String: ClaimValue])
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([ClaimValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: ClaimValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }
}

extension ClaimValue {
    /// Compact JSON with sorted members and unescaped slashes.
    var jsonText: String {
        get throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(self), as: UTF8.self)
        }
    }
}
