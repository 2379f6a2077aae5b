import Authorization
import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird

/// Sets `context.access` from the request's bearer token, or answers 401 with a `WWW-Authenticate`
/// challenge (RFC 6750) and an OperationOutcome, and records the failed attempt in the audit trail.
///
/// The open paths need no token: health, the CapabilityStatement, the SMART configuration, the token endpoint
/// and its key set, and the payment webhooks (signed by their gateways). An insecure development server
/// (no `security`) grants everything to everyone.
///
/// Failed attempts count against the caller's address in the rate limiter (when there is one), so that
/// guessing tokens is throttled like any other traffic: past the limit, the answer is 429 instead of 401.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext

    let security: HubSecurity?
    let audit: AuditTrail
    /// The rate limiter that also counts failed attempts by address; nil when rate limiting is off.
    var failures: RateLimiter?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        guard let security else {
            context.access = .insecureDevelopment
            return try await next(request, context)
        }
        if Self.isOpen(request.method, request.uri.path) { return try await next(request, context) }
        guard let token = Self.bearerToken(request.headers[.authorization]) else {
            record(request, context, reason: "no bearer token")
            return throttled(context) ?? Self.challenge(nil)
        }
        do {
            context.access = try await security.verifier.verify(token)
        } catch let error as AuthorizationError {
            record(request, context, reason: error.description)
            return throttled(context) ?? Self.challenge(error)
        }
        return try await next(request, context)
    }

    /// The 429 answer when the caller's address has used up its requests, or nil.
    private func throttled(_ context: Context) -> Response? {
        guard let failures else { return nil }
        return RateLimitMiddleware.answer(failures.admit(RateLimitMiddleware.key(access: context.access, remoteAddress: context.remoteAddress)))
    }

    /// Whether `path` may be used without a token.
    static func isOpen(_ method: HTTPRequest.Method, _ path: String) -> Bool {
        switch method {
        case .get, .head:
            return ["/health", "/fhir/metadata", "/.well-known/smart-configuration", "/fhir/.well-known/smart-configuration", "/auth/jwks"]
                .contains(path)
        case .post:
            if path == "/auth/token" { return true }
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 4 && parts[1] == "payments" && parts[2] == "webhook" && !parts[3].isEmpty
        default:
            return false
        }
    }

    /// The token of an `Authorization: Bearer <token>` header (the scheme in any case).
    static func bearerToken(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    /// The 401 answer. Without credentials the challenge names only the realm (RFC 6750 section 3.1); for a
    /// refused token it says `invalid_token` and whether it expired, and nothing more.
    static func challenge(_ error: AuthorizationError?) -> Response {
        let description = error?.publicTokenDescription ?? "An access token is required"
        var response = FHIRRoutes.response(FHIRError(401, code: "login", description))
        response.headers[.wwwAuthenticate] = error == nil
            ? #"Bearer realm="carebridge""#
            : #"Bearer realm="carebridge", error="invalid_token", error_description="\#(description)""#
        return response
    }

    private func record(_ request: Request, _ context: Context, reason: String) {
        audit.record(AuditRecord(
            action: .authenticate, grant: nil, remoteAddress: context.remoteAddress, outcome: .failedAuthentication(reason),
            detail: "\(request.method.rawValue) \(request.uri.path)"
        ))
    }
}
