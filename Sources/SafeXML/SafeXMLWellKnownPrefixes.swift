/// Declares the namespace prefixes that fragments cut from larger documents use without declaring them.
///
/// C-CDA entries are often exchanged as fragments (a `<section>` or `<observation>` copied out of a
/// `ClinicalDocument`) that keep `xsi:type` and `sdtc:` names while the declarations stayed on the document they
/// came from. A prefix used in the document and not declared on its root element gets its well-known namespace
/// there (a declaration further down still applies below it, as XML's scoping says).
enum SafeXMLWellKnownPrefixes {
    static let namespaces: [(prefix: String, uri: String)] = [
        ("xsi", "http://www.w3.org/2001/XMLSchema-instance"),
        ("sdtc", "urn:hl7-org:sdtc"),
    ]

    /// `bytes`, with a declaration added to the root start tag for each well-known prefix used and not declared.
    static func declare(_ bytes: [UInt8]) -> [UInt8] {
        guard let insertion = endOfRootName(bytes) else { return bytes }
        let rootTag = Array(bytes[insertion..<(bytes[insertion...].firstIndex(of: UInt8(ascii: ">")) ?? bytes.endIndex)])
        let missing = namespaces.filter { uses($0.prefix, in: bytes) && !contains(Array("xmlns:\($0.prefix)=".utf8), in: rootTag) }
        guard !missing.isEmpty else { return bytes }
        let declarations = missing.map { " xmlns:\($0.prefix)=\"\($0.uri)\"" }.joined()
        var declared = bytes
        declared.insert(contentsOf: Array(declarations.utf8), at: insertion)
        return declared
    }

    /// Whether `prefix:` starts an element or attribute name somewhere (after `<`, `</` or white space).
    private static func uses(_ prefix: String, in bytes: [UInt8]) -> Bool {
        let name = Array("\(prefix):".utf8)
        var index = bytes.startIndex
        while let found = firstIndex(of: name, in: bytes, from: index) {
            if found > 0, [UInt8(ascii: "<"), UInt8(ascii: "/"), 0x20, 0x09, 0x0A, 0x0D].contains(bytes[found - 1]) { return true }
            index = found + 1
        }
        return false
    }

    /// Where the root element's name ends: after the first `<` that starts an element (not `<?`, `<!`).
    private static func endOfRootName(_ bytes: [UInt8]) -> Int? {
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "<"), ![UInt8(ascii: "?"), UInt8(ascii: "!"), UInt8(ascii: "/")].contains(bytes[index + 1]) {
                var end = index + 1
                while end < bytes.endIndex, ![0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ">"), UInt8(ascii: "/")].contains(bytes[end]) { end += 1 }
                return end
            }
            index += 1
        }
        return nil
    }

    private static func contains(_ needle: [UInt8], in bytes: [UInt8]) -> Bool {
        firstIndex(of: needle, in: bytes, from: bytes.startIndex) != nil
    }

    private static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, bytes.count >= needle.count else { return nil }
        var index = start
        while index <= bytes.count - needle.count {
            if bytes[index] == first, bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
