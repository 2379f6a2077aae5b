import Authorization
import HTTPTypes
import Hummingbird
import NIOCore

/// The token endpoint of SMART Backend Services (`POST /auth/token`), the hub's public key (`GET /auth/jwks`)
/// and the SMART configuration (`GET /.well-known/smart-configuration`, also below `/fhir`).
struct AuthRoutes: Sendable {
    let security: HubSecurity
    let audit: AuditTrail

    /// The largest token request read.
    static let maximumBodySize = 64 * 1024

    func add(to router: Router<HubRequestContext>) {
        router.post("auth/token") { request, context in try await token(request, context) }
        router.get("auth/jwks") { _, _ in Self.json(try security.hubKey.publicKeySetJSON, status: .ok) }
        for path in [".well-known/smart-configuration", "fhir/.well-known/smart-configuration"] {
            router.get(RouterPath(path)) { _, _ in
                Self.json(try SMARTConfigurationDocument.json(for: security.configuration), status: .ok)
            }
        }
    }

    private func token(_ request: Request, _ context: HubRequestContext) async throws -> Response {
        do {
            let contentType = request.headers[.contentType]?.lowercased() ?? ""
            guard contentType.hasPrefix("application/x-www-form-urlencoded") else {
                throw AuthorizationError(.invalidRequest, "the body must be application/x-www-form-urlencoded")
            }
            let body = try await request.body.collect(upTo: Self.maximumBodySize)
            let issued = try await security.issuer.issue(try TokenRequestForm(body: String(buffer: body)))
            audit.record(AuditRecord(
                action: .authenticate,
                grant: AccessGrant(clientID: issued.clientID, subject: issued.clientID, roles: [issued.role], scopes: ScopeSet(issued.scope)),
                remoteAddress: context.remoteAddress, detail: "access token issued for \(issued.scope)"
            ))
            return Self.json(try issued.json, status: .ok)
        } catch let error as AuthorizationError {
            audit.record(AuditRecord(
                action: .authenticate, grant: nil, remoteAddress: context.remoteAddress,
                outcome: .failedAuthentication(error.message), detail: "token request refused: \(error.code)"
            ))
            let status = error.oauthError?.status ?? 400
            return Self.json(try error.oauthErrorBody, status: HTTPResponse.Status(code: status))
        }
    }

    /// A JSON answer that no cache keeps (RFC 6749 section 5.1 asks it of token responses).
    static func json(_ text: String, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = ContentNegotiation.plainJSON
        headers[.cacheControl] = "no-store"
        if let pragma = HTTPField.Name("Pragma") { headers[pragma] = "no-cache" }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
