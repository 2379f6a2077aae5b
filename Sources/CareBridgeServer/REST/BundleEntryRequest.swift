import FHIRCore
import Foundation
import NIOCore

/// One entry of a batch or transaction Bundle, read into a request.
struct BundleEntryRequest: Sendable {
    /// Position in the Bundle (0-based), for error messages and the response order.
    let index: Int
    let fullUrl: String?
    var request: FHIRRequest
    /// The entry's resource, when it has one (POST, PUT).
    var resource: FHIRResource?

    /// Reads entry `index`; throws 400 naming the entry when it lacks `request.method`/`request.url`.
    init(entry: JSONValue, index: Int, preferReturn: FHIRRequest.PreferReturn) throws {
        let location = "Bundle.entry[\(index)]"
        guard let object = entry.objectValue, let requestPart = object["request"]?.objectValue,
              let method = requestPart["method"]?.stringValue?.uppercased(),
              let url = requestPart["url"]?.stringValue
        else {
            throw FHIRError(400, code: "required", "\(location) needs request.method and request.url", expression: ["\(location).request"])
        }
        self.index = index
        fullUrl = object["fullUrl"]?.stringValue
        var request = FHIRRequest(method: method, relativeURL: Self.relative(url))
        request.ifMatch = requestPart["ifMatch"]?.stringValue
        request.ifNoneExist = requestPart["ifNoneExist"]?.stringValue
        request.ifNoneMatch = requestPart["ifNoneMatch"]?.stringValue
        request.preferReturn = preferReturn
        if let resourceObject = object["resource"]?.objectValue {
            guard let resource = FHIRResource(json: resourceObject) else {
                throw FHIRError(400, code: "required", "\(location).resource has no resourceType", expression: ["\(location).resource"])
            }
            if method == "PATCH" {
                request.body = try Self.patchBody(resource, location: location)
                request.isJSONPatch = true
            } else {
                self.resource = resource
            }
        }
        self.request = request
    }

    /// The order the transaction rules give: DELETE, then POST, then PUT/PATCH, then GET/HEAD.
    var processingRank: Int {
        switch request.method {
        case "DELETE": 0
        case "POST": 1
        case "PUT", "PATCH": 2
        default: 3
        }
    }

    /// The request with its resource (references already rewritten) as the body.
    var finalRequest: FHIRRequest {
        var final = request
        if let resource { final.body = ByteBuffer(bytes: resource.bytes) }
        return final
    }

    /// Entry URLs may be absolute (`http://host/fhir/Patient/1`); only the part after the base matters.
    private static func relative(_ url: String) -> String {
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), let range = url.range(of: "/fhir/") else {
            return url
        }
        return String(url[range.upperBound...])
    }

    /// A PATCH entry carries its JSON Patch as a Binary (`contentType` application/json-patch+json).
    private static func patchBody(_ resource: FHIRResource, location: String) throws -> ByteBuffer {
        guard resource.resourceType == "Binary", let data = resource.json["data"]?.stringValue,
              let bytes = Data(base64Encoded: data)
        else {
            throw FHIRError(
                400, code: "not-supported",
                "\(location): a PATCH entry must carry a Binary with a base64 JSON Patch document",
                expression: ["\(location).resource"]
            )
        }
        return ByteBuffer(bytes: bytes)
    }
}
