import FHIRCore
import HTTPTypes
import Hummingbird
import Logging

/// Turns whatever escapes the routes into an `OperationOutcome` with the right status, answers 405 for
/// methods the FHIR API does not take (`SecurityHeadersMiddleware`, outside it, adds the security headers).
struct OperationOutcomeMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError {
            let fhirError: FHIRError
            if error.status == .notFound, request.uri.path.hasPrefix("/fhir"), !FHIRRoutes.methods.contains(request.method) {
                fhirError = .methodNotAllowed(request.method.rawValue, request.uri.path)
            } else if error.status == .contentTooLarge {
                fhirError = FHIRError(413, code: "too-costly", "The request body is too large")
            } else {
                let code = error.status == .notFound ? "not-found" : "processing"
                fhirError = FHIRError(error.status.code, code: code, error.body ?? error.status.reasonPhrase)
            }
            response = FHIRRoutes.response(fhirError)
        } catch {
            logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            let fhirError = FHIRError(500, code: "exception", "The server could not complete the request")
            response = FHIRRoutes.response(fhirError)
        }
        return response
    }
}
