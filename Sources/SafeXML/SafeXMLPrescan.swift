/// The checks made on the raw bytes before libxml2 sees them, so that nothing a DTD could do (external entities,
/// parameter entities, entity expansion, network or file access) can happen at all:
/// - the bytes are ASCII-compatible: no UTF-16/UTF-32 byte order mark, no NUL byte, and the encoding declared in
///   `<?xml ... encoding="..."?>` is UTF-8, US-ASCII, ISO-8859-n or windows-125n (so the scan below sees the
///   markup libxml2 will see);
/// - UTF-8 documents (those declaring UTF-8 or US-ASCII, or nothing) are valid UTF-8;
/// - no `<!` other than a comment (`<!--`) or a CDATA section (`<![CDATA[`) appears outside comments, CDATA
///   sections and processing instructions, except one DOCTYPE before the root element that only names an
///   external DTD (`<!DOCTYPE r SYSTEM "r.dtd">`, no `[...]` internal subset) when `acceptsExternalDoctype`:
///   that one is blanked out (spaces, line breaks kept) so libxml2 never sees it and its DTD is never read.
///   Any other `<!DOCTYPE` is `.doctypeForbidden`; `<!ENTITY` (or any other declaration) is `.entityForbidden`.
enum SafeXMLPrescan {
    /// The bytes to hand to libxml2 (`bytes`, or a copy with an external-only DOCTYPE blanked out).
    static func check(_ bytes: [UInt8], acceptsExternalDoctype: Bool) throws(SafeXMLError) -> [UInt8] {
        let start = try checkByteOrderMark(bytes)
        let encoding = try declaredEncoding(bytes, from: start)
        if encoding == nil || encoding == "UTF-8" || encoding == "UTF8" || encoding == "US-ASCII" || encoding == "ASCII" {
            try checkUTF8(bytes, from: start)
        } else if let zero = bytes.firstIndex(of: 0) {
            throw error(.invalidEncoding, at: zero, in: bytes, "a NUL byte cannot appear in an XML document")
        }
        guard let doctype = try checkMarkupDeclarations(bytes, from: start) else { return bytes }
        guard acceptsExternalDoctype else {
            throw error(.doctypeForbidden, at: doctype.lowerBound, in: bytes, "documents with a DOCTYPE are refused")
        }
        var blanked = bytes
        for index in doctype where blanked[index] != UInt8(ascii: "\n") { blanked[index] = UInt8(ascii: " ") }
        return blanked
    }

    /// The offset after a UTF-8 byte order mark (0 when there is none); UTF-16 and UTF-32 marks are refused.
    static func checkByteOrderMark(_ bytes: [UInt8]) throws(SafeXMLError) -> Int {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return 3 }
        if bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0, 0]) {
            throw SafeXMLError(.invalidEncoding, line: 1, column: 1,
                               reason: "UTF-16 and UTF-32 documents are not accepted; send UTF-8")
        }
        return 0
    }

    /// The encoding named in the XML declaration, upper-cased, or nil when there is no declaration or no
    /// encoding in it; names outside the accepted set are refused.
    static func declaredEncoding(_ bytes: [UInt8], from start: Int) throws(SafeXMLError) -> String? {
        guard bytes[start...].starts(with: Array("<?xml".utf8)),
              let end = find(Array("?>".utf8), in: bytes, from: start) else { return nil }
        guard let key = find(Array("encoding".utf8), in: Array(bytes[..<end]), from: start) else { return nil }
        let rest = String(decoding: bytes[(key + 8)..<end], as: UTF8.self)
            .drop { $0 == " " || $0 == "=" || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        let name = rest.dropFirst().prefix { $0 != quote }.uppercased()
        let accepted = ["UTF-8", "UTF8", "US-ASCII", "ASCII", "LATIN1", "LATIN-1"]
        if accepted.contains(name) || name.hasPrefix("ISO-8859-") || name.hasPrefix("ISO8859-")
            || name.hasPrefix("WINDOWS-125") || name.hasPrefix("CP125") {
            return name
        }
        throw SafeXMLError(.invalidEncoding, line: 1, column: 1,
                           reason: "the declared encoding \"\(name.prefix(40))\" is not accepted "
                               + "(UTF-8, US-ASCII, ISO-8859-n and windows-125n are)")
    }

    /// Refuses a NUL byte or a byte sequence that is not UTF-8 (overlong forms, surrogates and values past
    /// U+10FFFF included).
    static func checkUTF8(_ bytes: [UInt8], from start: Int) throws(SafeXMLError) {
        var index = start
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                if lead == 0 { throw error(.invalidEncoding, at: index, in: bytes, "a NUL byte cannot appear in an XML document") }
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: throw error(.invalidEncoding, at: index, in: bytes, "byte 0x\(hex(lead)) cannot start a UTF-8 character")
            }
            guard index + length <= bytes.count else {
                throw error(.invalidEncoding, at: index, in: bytes, "the document ends inside a UTF-8 character")
            }
            for offset in 1..<length {
                let byte = bytes[index + offset]
                let range = offset == 1 ? low...high : 0x80...0xBF
                guard range.contains(byte) else {
                    throw error(.invalidEncoding, at: index, in: bytes,
                                "bytes starting 0x\(hex(lead)) are not a valid UTF-8 character")
                }
            }
            index += length
        }
    }

    /// Refuses `<!ENTITY`, every other `<!` that is not a comment or CDATA section, and a DOCTYPE with an
    /// internal subset or after the root element starts; returns where an external-only DOCTYPE is, if any.
    static func checkMarkupDeclarations(_ bytes: [UInt8], from start: Int) throws(SafeXMLError) -> Range<Int>? {
        var index = start
        var doctype: Range<Int>?
        var inRoot = false
        while index < bytes.count, let open = bytes[index...].firstIndex(of: UInt8(ascii: "<")) {
            let next = open + 1
            if bytes[next...].starts(with: Array("!--".utf8)) {
                index = skip(past: "-->", in: bytes, from: next + 3)
            } else if bytes[next...].starts(with: Array("![CDATA[".utf8)) {
                index = skip(past: "]]>", in: bytes, from: next + 8)
            } else if bytes[next...].starts(with: Array("?".utf8)) {
                index = skip(past: "?>", in: bytes, from: next + 1)
            } else if bytes[next...].starts(with: Array("!".utf8)) {
                let keyword = String(decoding: bytes[(next + 1)...].prefix(7), as: UTF8.self)
                guard keyword.uppercased() == "DOCTYPE" else {
                    throw error(.entityForbidden, at: open, in: bytes,
                                "markup declarations such as <!ENTITY are refused: DTDs and entities are never read")
                }
                guard keyword == "DOCTYPE", doctype == nil, !inRoot, let end = externalDoctypeEnd(bytes, from: next + 8) else {
                    throw error(.doctypeForbidden, at: open, in: bytes, "a DOCTYPE with an internal subset "
                                    + "([...], where entities are declared) is refused: DTDs and entities are never read")
                }
                doctype = open..<end
                index = end
            } else {
                inRoot = true
                index = next
            }
        }
        return doctype
    }

    /// The offset after the `>` closing a DOCTYPE whose body starts at `start`, or nil when it has an internal
    /// subset (`[`) or no end. Quoted system and public identifiers may hold `[` and `>`.
    static func externalDoctypeEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                guard let close = bytes[(index + 1)...].firstIndex(of: bytes[index]) else { return nil }
                index = close + 1
            case UInt8(ascii: "["), UInt8(ascii: "<"):
                return nil
            case UInt8(ascii: ">"):
                return index + 1
            default:
                index += 1
            }
        }
        return nil
    }

    static func skip(past terminator: String, in bytes: [UInt8], from start: Int) -> Int {
        guard start < bytes.count, let end = find(Array(terminator.utf8), in: bytes, from: start) else { return bytes.count }
        return end + terminator.utf8.count
    }

    static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index < bytes.count, let candidate = bytes[index...].firstIndex(of: needle[0]) {
            if bytes[candidate...].starts(with: needle) { return candidate }
            index = candidate + 1
        }
        return nil
    }

    /// An error at byte `offset`, with its 1-based line and column.
    static func error(_ kind: SafeXMLError.Kind, at offset: Int, in bytes: [UInt8], _ reason: String) -> SafeXMLError {
        var line = 1
        var lineStart = 0
        for index in 0..<offset where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        return SafeXMLError(kind, line: line, column: offset - lineStart + 1, reason: reason)
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return digits.count == 1 ? "0" + digits : digits
    }
}
