/// A JSON Pointer (RFC 6901): a path of reference tokens such as `/name/0/given`, with `~1` for `/`
/// and `~0` for `~`.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    /// The unescaped reference tokens; empty for the whole document.
    public let tokens: [String]

    /// Parses pointer text; throws `.invalidPatch` when it is neither empty nor starts with `/`, or has a bad `~` escape.
    public init(_ text: String) throws(FHIRCoreError) {
        if text.isEmpty {
            tokens = []
            return
        }
        guard text.hasPrefix("/") else {
            throw FHIRCoreError(.invalidPatch, "JSON Pointer '\(text)' must be empty or start with '/'")
        }
        var result: [String] = []
        for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var escaping = false
            for character in raw {
                if escaping {
                    switch character {
                    case "0": token.append("~")
                    case "1": token.append("/")
                    default:
                        throw FHIRCoreError(.invalidPatch, "JSON Pointer '\(text)' has an invalid escape '~\(character)'")
                    }
                    escaping = false
                } else if character == "~" {
                    escaping = true
                } else {
                    token.append(character)
                }
            }
            if escaping {
                throw FHIRCoreError(.invalidPatch, "JSON Pointer '\(text)' ends with an incomplete '~' escape")
            }
            result.append(token)
        }
        tokens = result
    }

    /// A pointer made of these unescaped tokens.
    public init(tokens: [String]) {
        self.tokens = tokens
    }

    /// The pointer text, escaped.
    public var description: String {
        tokens.map { "/" + $0.replacingTokenEscapes() }.joined()
    }

    /// Whether `self` is a proper prefix of `other` (a value cannot be moved into its own child).
    public func isProperPrefix(of other: JSONPointer) -> Bool {
        tokens.count < other.tokens.count && Array(other.tokens.prefix(tokens.count)) == tokens
    }

    /// The value this pointer refers to in `document`, or nil when there is none.
    public func resolve(in document: JSONValue) -> JSONValue? {
        var current = document
        for token in tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let elements):
                guard let index = JSONPointer.arrayIndex(token), index < elements.count else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    /// The array index a token denotes: digits without a leading zero (except `0` itself).
    static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        if token.utf8.count > 1, token.utf8.first == 0x30 { return nil }
        return Int(token)
    }
}

extension String {
    fileprivate func replacingTokenEscapes() -> String {
        var result = ""
        for character in self {
            switch character {
            case "~": result += "~0"
            case "/": result += "~1"
            default: result.append(character)
            }
        }
        return result
    }
}
