import Authorization
import Hummingbird

/// Lets a request through only when its grant holds one of the hub's own scopes (`HubScope`): the routes
/// that are not FHIR interactions (ingest, the inbound log, webhook administration) are guarded by them.
struct HubScopeMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext

    let scope: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.access.holds(scope) else {
            let error = FHIRError(403, code: "forbidden", "This needs the \(scope) scope")
            return FHIRRoutes.response(error)
        }
        return try await next(request, context)
    }
}
