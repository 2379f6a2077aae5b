import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Connects the FHIR REST handler to Hummingbird: every method under `/fhir` goes to one handler, which
/// parses the path itself (so unknown method/path pairs get FHIR's 405 rather than the router's 404).
struct FHIRRoutes: Sendable {
    let handler: RestHandler
    /// The largest request body accepted, in bytes.
    let maximumBodySize: Int
    /// The FHIR base URL to use in links, or nil to derive it from the `Host` header.
    let publicBaseURL: String?

    static let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .head]

    func add(to router: Router<HubRequestContext>) {
        for method in Self.methods {
            router.on("fhir", method: method) { request, context in try await respond(request, context) }
            router.on("fhir/**", method: method) { request, context in try await respond(request, context) }
        }
    }

    func respond(_ request: Request, _ context: HubRequestContext) async throws -> Response {
        var request = request
        let format = request.uri.queryParameters.get("_format")
        let responseType: String
        let fhirRequest: FHIRRequest
        do {
            responseType = try ContentNegotiation.responseType(accept: request.headers[.accept], format: format)
            fhirRequest = try await makeRequest(&request)
        } catch let error as FHIRError {
            return Self.response(error)
        }
        let base = base(of: request)
        let response = await handler.acting(as: context.access, from: context.remoteAddress).handle(fhirRequest, base: base)
        return Self.response(response, contentType: responseType, base: base, head: request.method == .head)
    }

    private func makeRequest(_ request: inout Request) async throws -> FHIRRequest {
        let method = request.method == .head ? "GET" : request.method.rawValue
        let path = request.uri.path.split(separator: "/", omittingEmptySubsequences: true).dropFirst()
            .map { FormEncoding.percentDecoded(String($0)) }
        var body: ByteBuffer?
        var kind = ContentNegotiation.BodyKind.resource
        if method == "POST" || method == "PUT" || method == "PATCH" {
            kind = try ContentNegotiation.bodyKind(contentType: request.headers[.contentType], method: method)
            do {
                body = try await request.collectBody(upTo: maximumBodySize)
            } catch {
                throw FHIRError(413, code: "too-costly", "The request body is larger than the limit of \(maximumBodySize) bytes")
            }
        }
        let prefer = Self.header("prefer", in: request.headers) ?? ""
        let preferReturn: FHIRRequest.PreferReturn =
            prefer.contains("return=minimal") ? .minimal
            : prefer.contains("return=OperationOutcome") ? .operationOutcome : .representation
        return FHIRRequest(
            method: method, path: Array(path), queryString: request.uri.query ?? "",
            ifMatch: request.headers[.ifMatch], ifNoneExist: Self.header("if-none-exist", in: request.headers),
            ifNoneMatch: request.headers[.ifNoneMatch], preferReturn: preferReturn, body: body,
            isJSONPatch: kind == .jsonPatch, handling: prefer.contains("handling=lenient") ? .lenient : .strict
        )
    }

    private func base(of request: Request) -> String {
        if let publicBaseURL { return publicBaseURL }
        let host = request.head.authority ?? "localhost"
        return "http://\(host)/fhir"
    }

    private static func header(_ lowercasedName: String, in fields: HTTPFields) -> String? {
        fields.first { $0.name.canonicalName == lowercasedName }?.value
    }

    /// The HTTP response for an error: its status and its OperationOutcome as JSON.
    static func response(_ error: FHIRError) -> Response {
        response(FHIRResponse(error), contentType: ContentNegotiation.fhirJSON, base: "", head: false)
    }

    /// The HTTP response for a FHIR response: status, `ETag`, `Last-Modified`, `Location`, JSON body.
    static func response(_ response: FHIRResponse, contentType: String, base: String, head: Bool) -> Response {
        var headers = HTTPFields()
        if let etag = response.etag { headers[.eTag] = etag }
        if let lastModified = response.lastModified { headers[.lastModified] = HTTPDate.string(lastModified) }
        if let location = response.location {
            headers[.location] = "\(base)/\(location)"
            headers[.contentLocation] = "\(base)/\(location)"
        }
        let body = response.bodyBytes
        if body.readableBytes > 0 { headers[.contentType] = contentType }
        return Response(
            status: HTTPResponse.Status(code: response.status),
            headers: headers,
            body: head ? ResponseBody() : ResponseBody(byteBuffer: body)
        )
    }
}
