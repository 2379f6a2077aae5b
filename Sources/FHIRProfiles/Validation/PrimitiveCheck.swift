import FHIRCore

/// The outcome of checking one primitive value.
enum PrimitiveVerdict: Equatable {
    case valid
    /// The JSON kind is wrong (a number where a string is expected...).
    case wrongKind
    /// The JSON kind is right but the value breaks the type's rules; the text says why.
    case invalid(String)
}

extension PrimitiveType {
    /// Checks `value` against this type: its JSON kind, then the lexical rules of the type's regex (written out
    /// by hand: these run for every primitive of every resource written).
    func check(_ value: JSONValue) -> PrimitiveVerdict {
        switch value {
        case .bool: return jsonKind == .boolean ? .valid : .wrongKind
        case .number(let text):
            guard jsonKind == .number else { return .wrongKind }
            return checkNumber(text)
        case .string(let text):
            guard jsonKind == .string else { return .wrongKind }
            guard !text.isEmpty else { return .invalid("an empty string is not allowed") }
            return checkString(text)
        default:
            return .wrongKind
        }
    }

    private func checkNumber(_ text: String) -> PrimitiveVerdict {
        switch self {
        case .decimal:
            return .valid  // the JSON number grammar is the decimal grammar
        case .integer, .positiveInt, .unsignedInt:
            guard let number = Int64(text), text.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || isDigit($0) }),
                  !text.hasPrefix("00"), !text.hasPrefix("-00")
            else { return .invalid("'\(text)' is not an integer") }
            let lowest: Int64 = self == .positiveInt ? 1 : (self == .unsignedInt ? 0 : Int64(Int32.min))
            guard number >= lowest, number <= Int64(Int32.max) else {
                return .invalid("\(text) is out of range for \(name)")
            }
            return .valid
        case .other(_, _, let pattern):
            return pattern.map { $0.matches(text) ? .valid : .invalid("'\(text)' does not match \($0.source)") } ?? .valid
        default:
            return .wrongKind
        }
    }

    private func checkString(_ text: String) -> PrimitiveVerdict {
        let bytes = text.utf8
        switch self {
        case .string, .markdown:
            if bytes.contains(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) {
                return .invalid("control characters are not allowed in \(name)")
            }
            return .valid
        case .code:
            var previousWasSpace = true
            for byte in bytes {
                let space = isXMLSpace(byte)
                if space && previousWasSpace { return .invalid("a code cannot have leading or repeated whitespace") }
                previousWasSpace = space
            }
            return previousWasSpace ? .invalid("a code cannot end with whitespace") : .valid
        case .id:
            return FHIRResource.isValidID(text) ? .valid : .invalid("'\(text)' is not a valid id (1-64 of A-Z a-z 0-9 - .)")
        case .uri, .url, .canonical:
            return bytes.contains(where: isXMLSpace) ? .invalid("a \(name) cannot contain whitespace") : .valid
        case .oid:
            return LexicalScanner.isOID(bytes) ? .valid : .invalid("'\(text)' is not an oid (urn:oid:...)")
        case .uuid:
            return LexicalScanner.isUUID(bytes) ? .valid : .invalid("'\(text)' is not a lower-case urn:uuid:")
        case .date, .dateTime, .instant, .time:
            return LexicalScanner.isTemporal(Array(bytes), self) ? .valid : .invalid("'\(text)' is not a valid \(name)")
        case .base64Binary:
            var count = 0
            for byte in bytes where !isXMLSpace(byte) {
                guard isDigit(byte) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x2B || byte == 0x2F
                    || byte == 0x3D
                else { return .invalid("base64Binary has a character outside the base64 alphabet") }
                count += 1
            }
            return count > 0 && count % 4 == 0 ? .valid : .invalid("base64Binary length is not a multiple of 4")
        case .xhtml:
            return text.drop(while: \.isWhitespace).hasPrefix("<div") ? .valid : .invalid("narrative must be a <div>")
        case .other(_, _, let pattern):
            return pattern.map { $0.matches(text) ? .valid : .invalid("'\(text)' does not match \($0.source)") } ?? .valid
        case .boolean, .integer, .positiveInt, .unsignedInt, .decimal:
            return .wrongKind
        }
    }
}

@inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
@inline(__always) func isXMLSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
