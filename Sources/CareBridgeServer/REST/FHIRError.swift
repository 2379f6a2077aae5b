import FHIRCore
import Store

/// A failed FHIR interaction: the HTTP status and the `OperationOutcome` that explains it.
public struct FHIRError: Error, Sendable {
    public let status: Int
    public let outcome: OperationOutcome

    public init(_ status: Int, _ outcome: OperationOutcome) {
        self.status = status
        self.outcome = outcome
    }

    /// An error with one issue.
    public init(_ status: Int, code: String, _ diagnostics: String, expression: [String] = []) {
        self.init(status, OperationOutcome(code: code, diagnostics: diagnostics, expression: expression))
    }

    /// The error for a store failure, with the status its code stands for.
    public init(_ error: StoreError) {
        switch error.code {
        case .notFound: self.init(404, code: "not-found", error.message)
        case .gone: self.init(410, code: "deleted", error.message)
        case .versionConflict: self.init(412, code: "conflict", error.message)
        case .multipleMatches: self.init(412, code: "multiple-matches", error.message)
        case .conflict: self.init(409, code: "conflict", error.message)
        case .invalidRequest: self.init(400, code: "invalid", error.message)
        case .notSupported: self.init(400, code: "not-supported", error.message)
        case .tooCostly: self.init(408, code: "too-costly", error.message)
        default: self.init(500, code: "exception", "The server could not complete the request")
        }
    }

    /// The error for content that is not a readable resource.
    public init(_ error: FHIRCoreError) {
        let code = error.code == .invalidJSON ? "structure" : "invalid"
        self.init(400, code: code, error.message, expression: error.expression.map { [$0] } ?? [])
    }
}

extension FHIRError {
    static func notSupportedType(_ type: String) -> FHIRError {
        FHIRError(404, code: "not-supported", "Resource type '\(type)' is not supported by this server")
    }

    static func methodNotAllowed(_ method: String, _ path: String) -> FHIRError {
        FHIRError(405, code: "not-supported", "\(method) is not allowed on \(path)")
    }
}
