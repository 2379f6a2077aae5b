/// How a message's bytes are turned into text and back, chosen from MSH-18 (first repetition).
///
/// | MSH-18 | reading | writing |
/// |---|---|---|
/// | `UNICODE UTF-8`, `UTF-8`, `UNICODE` | UTF-8; bytes that are not UTF-8 are an error | UTF-8 |
/// | `8859/1` | Latin-1, every byte is one character | Latin-1 |
/// | empty, `ASCII`, anything else (`8859/15`, ...) | UTF-8 when the bytes are UTF-8, else Latin-1 | the same |
///
/// The fallback for the last row keeps every message readable and re-encodable byte for byte: ASCII is a
/// subset of both, and Latin-1 reads any byte. Other ISO 8859 parts and ISO 2022 switching (`\C..\`, `\M..\`)
/// are not decoded; their bytes read as Latin-1 characters and are written back unchanged.
public enum HL7CharacterSet: String, Sendable, Hashable {
    /// Declared `ASCII` and all bytes are ASCII.
    case ascii
    /// ISO 8859-1, declared as `8859/1` or used because the bytes are not UTF-8.
    case latin1
    /// UTF-8, declared or found.
    case utf8

    /// What MSH-18 asks for, or nil when it asks for nothing this module reads strictly.
    static func declared(_ name: String) -> HL7CharacterSet? {
        if name.isEmpty { return nil }
        switch name.uppercased() {
        case "UNICODE UTF-8", "UTF-8", "UTF8", "UNICODE": return .utf8
        case "8859/1", "ISO-8859-1", "ISO IR100", "ISO_IR 100": return .latin1
        case "ASCII": return .ascii
        default: return nil
        }
    }

    /// Decodes `bytes` from `start` following the table above; returns the text as UTF-8 bytes, where it starts in
    /// them and the set that was used (the input itself when it is already UTF-8, so nothing is copied).
    /// - Throws: `.invalidCharacterEncoding` when UTF-8 was declared and the bytes are not UTF-8.
    static func decode(_ bytes: [UInt8], from start: Int,
                       declaredName: String) throws(HL7ParseError) -> ([UInt8], Int, HL7CharacterSet) {
        let declared = declared(declaredName)
        if declared == .latin1 { return (latin1ToUTF8(bytes[start...]), 0, .latin1) }
        if let offset = firstInvalidUTF8Offset(bytes, from: start) {
            if declared == .utf8 {
                let segment = bytes[start..<(start + offset)].reduce(1) { $1 == 0x0D || $1 == 0x0A ? $0 + 1 : $0 }
                throw HL7ParseError(.invalidCharacterEncoding, segmentIndex: segment,
                                    reason: "MSH-18 declares \(declaredName) but byte \(offset) is not valid UTF-8")
            }
            return (latin1ToUTF8(bytes[start...]), 0, .latin1)
        }
        if declared == .ascii, bytes[start...].allSatisfy({ $0 < 0x80 }) { return (bytes, start, .ascii) }
        return (bytes, start, .utf8)
    }

    /// The set for writing text that arrived already decoded (as UTF-8 bytes), from its MSH-18.
    static func forDecodedText(_ bytes: ArraySlice<UInt8>, declaredName: String) -> HL7CharacterSet {
        switch declared(declaredName) {
        case .latin1: return .latin1
        case .ascii: return bytes.allSatisfy({ $0 < 0x80 }) ? .ascii : .utf8
        default: return .utf8
        }
    }

    /// The bytes of `text` in this character set.
    /// - Throws: `.unencodableCharacter` for a character above U+00FF in a Latin-1 message.
    public func encode(_ text: String) throws(HL7ParseError) -> [UInt8] {
        guard self == .latin1 else { return Array(text.utf8) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            guard scalar.value <= 0xFF else {
                throw HL7ParseError(.unencodableCharacter,
                                    reason: "U+\(String(scalar.value, radix: 16, uppercase: true)) cannot be written in ISO 8859-1")
            }
            bytes.append(UInt8(truncatingIfNeeded: scalar.value))
        }
        return bytes
    }

    /// Text for bytes named by a `\Xhh\` escape: Latin-1 per byte in a Latin-1 message, else UTF-8 when valid.
    func text(fromEscaped bytes: [UInt8]) -> String {
        if self != .latin1, Self.firstInvalidUTF8Offset(bytes, from: 0) == nil { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: Self.latin1ToUTF8(bytes), as: UTF8.self)
    }

    static func latin1ToUTF8(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes {
            if byte < 0x80 {
                out.append(byte)
            } else {
                out.append(0xC0 | (byte >> 6))
                out.append(0x80 | (byte & 0x3F))
            }
        }
        return out
    }

    /// Offset from `start` of the first byte that breaks UTF-8, or nil when all of `bytes[start...]` is valid
    /// UTF-8. Runs of ASCII are skipped 32 or 8 bytes at a time.
    static func firstInvalidUTF8Offset(_ bytes: [UInt8], from start: Int) -> Int? {
        bytes.withUnsafeBytes { raw -> Int? in
            let count = raw.count
            var index = start
            let high: UInt64 = 0x8080_8080_8080_8080
            while index < count {
                if index + 32 <= count {
                    let words = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                        | raw.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)
                        | raw.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self)
                        | raw.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self)
                    if words & high == 0 {
                        index += 32
                        continue
                    }
                }
                if index + 8 <= count, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & high == 0 {
                    index += 8
                    continue
                }
                let lead = raw[index]
                if lead < 0x80 {
                    index += 1
                    continue
                }
                let length: Int
                let minimum: UInt32
                var value: UInt32
                switch lead {
                case 0xC2...0xDF: length = 2; minimum = 0x80; value = UInt32(lead & 0x1F)
                case 0xE0...0xEF: length = 3; minimum = 0x800; value = UInt32(lead & 0x0F)
                case 0xF0...0xF4: length = 4; minimum = 0x10000; value = UInt32(lead & 0x07)
                default: return index - start
                }
                guard index + length <= count else { return index - start }
                for offset in 1..<length {
                    let next = raw[index + offset]
                    guard next & 0xC0 == 0x80 else { return index - start }
                    value = value << 6 | UInt32(next & 0x3F)
                }
                if value < minimum || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) { return index - start }
                index += length
            }
            return nil
        }
    }
}
