/// A FHIR `OperationOutcome`: the issues found in handling a request.
public struct OperationOutcome: Sendable, Hashable {
    /// One issue.
    public struct Issue: Sendable, Hashable {
        /// `fatal`, `error`, `warning` or `information`.
        public var severity: String
        /// A code from the `issue-type` value set (`invalid`, `structure`, `required`, `value`, `not-found`...).
        public var code: String
        public var diagnostics: String
        /// FHIRPath expressions of the elements concerned.
        public var expression: [String]

        public init(severity: String = "error", code: String, diagnostics: String, expression: [String] = []) {
            self.severity = severity
            self.code = code
            self.diagnostics = diagnostics
            self.expression = expression
        }
    }

    public var issues: [Issue]

    public init(issues: [Issue]) {
        self.issues = issues
    }

    /// A single-issue outcome.
    public init(severity: String = "error", code: String, diagnostics: String, expression: [String] = []) {
        self.issues = [Issue(severity: severity, code: code, diagnostics: diagnostics, expression: expression)]
    }

    /// Whether any issue is an error or fatal.
    public var hasErrors: Bool { issues.contains { $0.severity == "error" || $0.severity == "fatal" } }

    /// The outcome as a resource.
    public var resource: FHIRResource {
        var json = JSONObject([("resourceType", .string("OperationOutcome"))])
        let issueValues: [JSONValue] = issues.map { issue in
            var object = JSONObject([
                ("severity", .string(issue.severity)),
                ("code", .string(issue.code)),
                ("diagnostics", .string(issue.diagnostics)),
            ])
            if !issue.expression.isEmpty { object["expression"] = .array(issue.expression.map(JSONValue.string)) }
            return .object(object)
        }
        json["issue"] = .array(issueValues)
        return FHIRResource(unchecked: json)
    }
}

extension FHIRResource {
    /// Wraps an object the caller built with a `resourceType`.
    init(unchecked json: JSONObject) {
        self.json = json
    }
}
