import Authorization
import HTTPTypes
import Hummingbird

/// Answers 429 with `Retry-After` and a `throttled` OperationOutcome once a client has used up its requests.
///
/// It runs after authentication, so an authenticated client is counted by its client id wherever it connects
/// from; requests without one (the open paths: health, metadata, SMART configuration, the token endpoint) and
/// those of an insecure development server are counted by the caller's address.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext

    let limiter: RateLimiter

    init(limiter: RateLimiter) {
        self.limiter = limiter
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let verdict = limiter.admit(Self.key(access: context.access, remoteAddress: context.remoteAddress))
        if let throttled = Self.answer(verdict) { return throttled }
        return try await next(request, context)
    }

    /// The 429 answer (`Retry-After`, a `throttled` OperationOutcome) for a throttled verdict; nil when allowed.
    static func answer(_ verdict: RateLimiter.Verdict) -> Response? {
        guard case .throttled(let retryAfter) = verdict else { return nil }
        let error = FHIRError(429, code: "throttled", "Too many requests: try again in \(retryAfter) s")
        var response = FHIRRoutes.response(error)
        response.headers[.retryAfter] = String(retryAfter)
        return response
    }

    /// The bucket a request counts against: its client, or where it comes from.
    static func key(access: AccessGrant, remoteAddress: String?) -> String {
        if !access.isUnrestricted, let client = access.clientID { return "client:" + client }
        return remoteAddress.map { "address:" + $0 } ?? "unknown"
    }
}
