import Foundation

/// Which formats a request may send and receive: FHIR JSON only (XML is not served).
enum ContentNegotiation {
    static let fhirJSON = "application/fhir+json; charset=utf-8"
    static let plainJSON = "application/json; charset=utf-8"

    private static let jsonFormats: Set<String> = [
        "json", "application/json", "application/fhir+json", "application/json+fhir", "text/json",
    ]

    /// The response media type for `_format` and `Accept`; 406 when only other formats are acceptable.
    static func responseType(accept: String?, format: String?) throws -> String {
        if let format {
            let wanted = mediaType(format)
            guard jsonFormats.contains(wanted) else {
                throw FHIRError(406, code: "not-supported", "_format=\(format) is not served; this server speaks application/fhir+json")
            }
            return wanted == "application/json" ? plainJSON : fhirJSON
        }
        guard let accept, !accept.isEmpty else { return fhirJSON }
        let ranges = accept.split(separator: ",").map { mediaType(String($0)) }
        if ranges.contains(where: { $0 == "application/fhir+json" || $0 == "application/json+fhir" || $0 == "*/*" || $0 == "application/*" }) {
            return fhirJSON
        }
        if ranges.contains(where: { $0 == "application/json" || $0 == "text/json" }) { return plainJSON }
        throw FHIRError(406, code: "not-supported", "None of '\(accept)' is served; this server speaks application/fhir+json")
    }

    /// What a request body is, from `Content-Type`; 415 for formats not taken.
    static func bodyKind(contentType: String?, method: String) throws -> BodyKind {
        guard let contentType, !contentType.isEmpty else { return .resource }
        let type = mediaType(contentType)
        if type == "application/json-patch+json" { return .jsonPatch }
        if jsonFormats.contains(type) { return .resource }
        if type == "application/x-www-form-urlencoded" && method == "POST" { return .form }
        throw FHIRError(415, code: "not-supported", "Content-Type \(contentType) is not accepted; send application/fhir+json")
    }

    /// What a request body holds.
    enum BodyKind {
        case resource, jsonPatch, form
    }

    /// The media type without parameters, lower-cased (`application/fhir+json; charset=utf-8` → `application/fhir+json`).
    static func mediaType(_ text: String) -> String {
        let bare = text.split(separator: ";", maxSplits: 1).first.map(String.init) ?? text
        return bare.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
