import FHIRCore
import FHIRProfiles
import Foundation

/// Builds the CapabilityStatement (`GET /metadata`) from what the server really does.
struct CapabilityStatementBuilder: Sendable {
    let registry: ProfileRegistry
    /// The subscription topics offered, by canonical URL (listed on Subscription, as the backport IG does).
    var topics: [String] = []
    /// The SMART Backend Services token endpoint, when authorization is on.
    var tokenEndpoint: String?

    /// The software version reported in the CapabilityStatement.
    static let softwareVersion = "0.1.0"

    func build(base: String) -> FHIRResource {
        let interactions: [JSONValue] = [
            "read", "vread", "update", "patch", "delete", "history-instance", "history-type", "create", "search-type",
        ].map { .object(JSONObject([("code", .string($0))])) }
        var revIncludes: [String: [JSONValue]] = [:]
        for source in registry.servedTypes {
            for parameter in referenceParameters(of: source) {
                for target in parameter.targets { revIncludes[target, default: []].append(.string("\(source):\(parameter.code)")) }
            }
        }
        let resources: [JSONValue] = registry.servedTypes.map { type in
            var resource = JSONObject([
                ("type", .string(type)),
                ("profile", .string("http://hl7.org/fhir/StructureDefinition/\(type)")),
                ("interaction", .array(interactions)),
                ("versioning", .string("versioned-update")),
                ("readHistory", .bool(true)),
                ("updateCreate", .bool(true)),
                ("conditionalCreate", .bool(true)),
                ("conditionalRead", .string("not-supported")),
                ("conditionalUpdate", .bool(true)),
                ("conditionalDelete", .string("single")),
                ("searchInclude", .array([.string("*")] + referenceParameters(of: type).map { .string("\(type):\($0.code)") })),
                ("searchRevInclude", .array(revIncludes[type] ?? [])),
                ("searchParam", .array(searchParameters(of: type))),
            ])
            if type == "Patient" {
                resource["operation"] = .array([.object(JSONObject([
                    ("name", .string("everything")),
                    ("definition", .string("http://hl7.org/fhir/OperationDefinition/Patient-everything")),
                ]))])
            }
            if type == "Subscription" { subscriptionCapabilities(&resource) }
            return .object(resource)
        }
        var rest = JSONObject([
            ("mode", .string("server")),
            ("documentation", .string(
                "Search: string, token, date, number, quantity, reference, uri and composite parameters with their prefixes and "
                    + "modifiers (token :not :text :in :not-in :of-type; reference :identifier and :[type]), chaining "
                    + "(subject:Patient.name), _has, _include and _revinclude (with :iterate), _sort, _count, _total, "
                    + "_summary, _elements, Patient compartment search and Patient/[id]/$everything. Not supported: "
                    + "special parameters, _contained, token :below/:above, other compartments. "
                    + "Conditional interactions match on any supported search parameter."
            )),
            ("resource", .array(resources)),
            ("interaction", .array(["transaction", "batch", "history-system"].map {
                .object(JSONObject([("code", .string($0))]))
            })),
        ])
        if let tokenEndpoint { rest["security"] = security(tokenEndpoint: tokenEndpoint) }
        return FHIRResource(resourceType: "CapabilityStatement", [
            ("status", .string("active")),
            ("date", .string(FHIRInstant.string(from: Date()))),
            ("publisher", .string("CareBridge")),
            ("kind", .string("instance")),
            ("software", .object(JSONObject([("name", .string("CareBridge")), ("version", .string(Self.softwareVersion))]))),
            ("implementation", .object(JSONObject([("description", .string("CareBridge FHIR R4 hub")), ("url", .string(base))]))),
            ("fhirVersion", .string("4.0.1")),
            ("format", .array([.string("application/fhir+json"), .string("json")])),
            ("patchFormat", .array([.string("application/json-patch+json")])),
            ("rest", .array([.object(rest)])),
        ])
    }

    /// `rest.security`: SMART on FHIR, with the token endpoint in the `oauth-uris` extension
    /// (https://hl7.org/fhir/smart-app-launch/conformance.html), so that clients find it from the metadata.
    private func security(tokenEndpoint: String) -> JSONValue {
        let uris = JSONObject([
            ("url", .string("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris")),
            ("extension", .array([.object(JSONObject([("url", .string("token")), ("valueUri", .string(tokenEndpoint))]))])),
        ])
        let service = JSONObject([("coding", .array([.object(JSONObject([
            ("system", .string("http://terminology.hl7.org/CodeSystem/restful-security-service")),
            ("code", .string("SMART-on-FHIR")),
        ]))]))])
        return .object(JSONObject([
            ("extension", .array([.object(uris)])),
            ("cors", .bool(false)),
            ("service", .array([.object(service)])),
            ("description", .string(
                "Bearer tokens (SMART on FHIR scopes, v1 and v2). Systems obtain them with SMART Backend Services "
                    + "(client_credentials with a private_key_jwt assertion); see /.well-known/smart-configuration."
            )),
        ]))
    }

    /// The backport IG's topic list and its `$status`/`$events` operations.
    private func subscriptionCapabilities(_ resource: inout JSONObject) {
        let backport = "http://hl7.org/fhir/uv/subscriptions-backport/"
        resource["extension"] = .array(topics.sorted().map { topic in
            .object(JSONObject([
                ("url", .string(backport + "StructureDefinition/capabilitystatement-subscriptiontopic-canonical")),
                ("valueCanonical", .string(topic)),
            ]))
        })
        resource["operation"] = .array(["status", "events"].map { name in
            .object(JSONObject([
                ("name", .string(name)),
                ("definition", .string(backport + "OperationDefinition/backport-subscription-\(name)")),
            ]))
        })
    }

    private func referenceParameters(of type: String) -> [SearchParameterDefinition] {
        registry.searchParameters(for: type).filter { $0.type == .reference && $0.expression != nil }
    }

    /// The search parameters of `type` the search engine supports: every registry parameter with an expression
    /// but the special ones (`near`, `_text`...) and composites that are not a token and a value.
    private func searchParameters(of type: String) -> [JSONValue] {
        registry.searchParameters(for: type).filter { definition in
            definition.expression != nil && definition.type != .special
                && (definition.type != .composite || registry.compositeParts(of: definition, for: type) != nil)
        }.map {
            .object(JSONObject([
                ("name", .string($0.code)),
                ("type", .string($0.type.rawValue)),
            ]))
        }
    }
}
