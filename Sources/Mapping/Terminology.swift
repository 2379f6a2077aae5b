import Foundation
import FHIRCore

/// One entry of a code table: the FHIR code a v2 code becomes.
struct MappedCode: Sendable, Hashable {
    var code: String
    var display: String?
    var system: String?

    /// `{system, code, display}`.
    var coding: JSONValue {
        var object = JSONObject()
        if let system { object["system"] = .string(system) }
        object["code"] = .string(code)
        if let display, !display.isEmpty { object["display"] = .string(display) }
        return .object(object)
    }
}

/// A code table from `mappings/codes/*.yaml` (generated from the v2-to-FHIR IG's concept maps).
struct CodeTable: Sendable, Hashable {
    var name: String
    var codes: [String: MappedCode]

    /// The FHIR code for v2 `code` (exact, then upper-cased), or nil when the table does not map it.
    func lookup(_ code: String) -> MappedCode? {
        let trimmed = code.trimmingWhitespace()
        return codes[trimmed] ?? codes[trimmed.uppercased()]
    }
}

/// What the converters need besides the value: code tables, names of coding systems and identifier
/// namespaces, and the offset assumed for times written without one.
struct Terminology: Sendable {
    var tables: [String: CodeTable] = [:]
    /// v2 coding system names (CWE-3, HL7 table 0396) -> FHIR system URIs.
    var codingSystems: [String: String] = [:]
    /// Assigning authority namespaces (HD-1 or HD-2) -> FHIR identifier system URIs.
    var identifierSystems: [String: String] = [:]
    /// The UTC offset (`+01:00`, `Z`) given to v2 times that carry none.
    var defaultOffset = "Z"

    /// The URI of a v2 coding system name: configured names, `HL7nnnn` -> `v2-nnnn`, URIs kept, anything else
    /// `urn:carebridge:codesystem:<name>`.
    func codingSystem(_ name: String) -> String? {
        let name = name.trimmingWhitespace()
        guard !name.isEmpty else { return nil }
        if let known = codingSystems[name] ?? codingSystems[name.uppercased()] { return known }
        let upper = name.uppercased()
        if upper.hasPrefix("HL7"), upper.count == 7, upper.dropFirst(3).allSatisfy(\.isNumber) {
            return "http://terminology.hl7.org/CodeSystem/v2-\(upper.dropFirst(3))"
        }
        if name.hasPrefix("http://") || name.hasPrefix("https://") || name.hasPrefix("urn:") { return name }
        return "urn:carebridge:codesystem:" + Self.uriSafe(name)
    }

    /// The identifier system for an assigning authority (HD: namespace, universal id, universal id type):
    /// `urn:oid:` for an ISO universal id, `urn:uuid:` for a UUID, the id itself for a URI; otherwise the
    /// namespace (or universal id) looked up in `identifier-systems`, else `urn:carebridge:id:<namespace>`.
    /// Nil when the authority is empty.
    func identifierSystem(namespace: String, universalID: String, type: String) -> String? {
        let universalID = universalID.trimmingWhitespace()
        let type = type.trimmingWhitespace().uppercased()
        let namespace = namespace.trimmingWhitespace()
        if let configured = identifierSystems[namespace] ?? identifierSystems[universalID] { return configured }
        if !universalID.isEmpty {
            if type == "ISO", Self.isOID(universalID) { return "urn:oid:\(universalID)" }
            if type == "UUID", universalID.count == 36 { return "urn:uuid:\(universalID.lowercased())" }
            if type == "URI" || type == "URL", universalID.utf8.contains(UInt8(ascii: ":")) { return universalID }
        }
        let name = namespace.isEmpty ? universalID : namespace
        return name.isEmpty ? nil : "urn:carebridge:id:" + Self.uriSafe(name)
    }

    static func isOID(_ text: String) -> Bool {
        var parts = 1
        var previous = UInt8(ascii: ".")
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                if previous == byte { return false }
                parts += 1
            } else if !(0x30...0x39).contains(byte) {
                return false
            }
            previous = byte
        }
        return parts >= 2 && previous != UInt8(ascii: ".")
    }

    /// `text` with everything but letters, digits and `-._~` percent-encoded, so it can end a URN.
    static func uriSafe(_ text: String) -> String {
        percentEncoded(text, keeping: "")
    }

    /// `text` as UTF-8 with every byte but the unreserved ones (ASCII letters, digits, `-._~`) and those of
    /// `extra` written `%XX` (upper-case hex).
    static func percentEncoded(_ text: String, keeping extra: String) -> String {
        func isKept(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "~") || extra.utf8.contains(byte)
        }
        guard !text.utf8.allSatisfy(isKept) else { return text }
        let hex = Array("0123456789ABCDEF".utf8)
        var result: [UInt8] = []
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isKept(byte) {
                result.append(byte)
            } else {
                result += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
