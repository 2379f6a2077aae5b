import FHIRCore
import FHIRProfiles
import Foundation

/// Builds the CapabilityStatement (`GET /metadata`) from what the server really does.
struct CapabilityStatementBuilder: Sendable {
    let registry: ProfileRegistry

    /// The software version reported in the CapabilityStatement.
    static let softwareVersion = "0.1.0"

    func build(base: String) -> FHIRResource {
        let interactions: [JSONValue] = [
            "read", "vread", "update", "patch", "delete", "history-instance", "history-type", "create", "search-type",
        ].map { .object(JSONObject([("code", .string($0))])) }
        let idParameter = Self.searchParam("_id", "token", "Logical id of the resource")
        let identifierParameter = Self.searchParam("identifier", "token", "Business identifier (system|value)")
        let resources: [JSONValue] = registry.servedTypes.map { type in
            .object(JSONObject([
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
                ("searchParam", .array(
                    registry.searchParameter("identifier", for: type) == nil
                        ? [idParameter] : [idParameter, identifierParameter]
                )),
            ]))
        }
        let rest = JSONObject([
            ("mode", .string("server")),
            ("documentation", .string("Conditional interactions match on _id and identifier.")),
            ("resource", .array(resources)),
            ("interaction", .array(["transaction", "batch", "history-system"].map {
                .object(JSONObject([("code", .string($0))]))
            })),
        ])
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

    private static func searchParam(_ name: String, _ type: String, _ documentation: String) -> JSONValue {
        .object(JSONObject([("name", .string(name)), ("type", .string(type)), ("documentation", .string(documentation))]))
    }
}
