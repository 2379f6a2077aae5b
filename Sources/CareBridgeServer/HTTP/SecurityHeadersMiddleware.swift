import HTTPTypes
import Hummingbird

/// Adds the security headers to every response, errors included (it is the outermost middleware, so it sees
/// the OperationOutcome that the error middleware made).
///
/// The hub serves data, never pages: nothing may frame, script or embed its responses, no referrer leaves
/// with a link taken from them, nothing is cached, and content types are not sniffed. HSTS is sent only when
/// the public base URL is `https` (a plain-HTTP hub behind no proxy cannot promise it).
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The headers set on each response.
    let headers: [(HTTPField.Name, String)]

    /// The headers for a hub whose public FHIR base is `publicBaseURL` (nil: derived from each request).
    init(publicBaseURL: String?) {
        var headers = [
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
            ("Referrer-Policy", "no-referrer"),
        ]
        if publicBaseURL?.lowercased().hasPrefix("https://") == true {
            headers.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
        }
        self.headers = headers.compactMap { name, value in HTTPField.Name(name).map { ($0, value) } }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        for (name, value) in headers { response.headers[name] = value }
        response.headers[.cacheControl] = response.headers[.cacheControl] ?? "no-store"
        response.headers[.server] = nil
        return response
    }
}
