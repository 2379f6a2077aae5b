import FHIRCore
import Foundation

/// The code and identifier systems the hub's audit events use for things of its own.
public enum AuditSystem {
    /// Identifies OAuth clients in `agent.who.identifier` (search `agent:identifier=urn:carebridge:client|ID`).
    public static let client = "urn:carebridge:client"
    /// Codes the security configuration's roles in `agent.role` (search `agent-role=urn:carebridge:role|ROLE`).
    public static let role = "urn:carebridge:role"
    /// Identifies inbound log entries in `entity.what.identifier`.
    public static let inboundMessage = "urn:carebridge:inbound-message"
    /// Codes operation names in `subtype`, next to restful-interaction `operation`.
    public static let operation = "urn:carebridge:operation"
    /// Identifies the hub process in `source.observer.identifier`.
    public static let hub = "urn:carebridge:hub"
}

extension AuditEventBuilder {
    static let dicom = "http://dicom.nema.org/resources/ontology/DCM"
    static let eventTypes = "http://terminology.hl7.org/CodeSystem/audit-event-type"
    static let restfulInteractions = "http://hl7.org/fhir/restful-interaction"
    static let resourceTypes = "http://hl7.org/fhir/resource-types"
    static let entityTypes = "http://terminology.hl7.org/CodeSystem/audit-entity-type"
    static let objectRoles = "http://terminology.hl7.org/CodeSystem/object-role"

    /// `type` and `subtype` codings of a record.
    static func type(of record: AuditRecord) -> (JSONValue, [JSONValue]) {
        let rest = coding(eventTypes, "rest", "RESTful Operation")
        func interaction(_ code: String) -> (JSONValue, [JSONValue]) { (rest, [coding(restfulInteractions, code, nil)]) }
        let queriedType: String?? = record.entities.lazy.compactMap { entity -> String?? in
            if case .query(let type, _) = entity { return .some(type) }
            return nil
        }.first
        let instance = record.entities.contains { if case .resource = $0 { true } else { false } }
        switch record.action {
        case .read: return interaction("read")
        case .vread: return interaction("vread")
        case .search: return interaction(queriedType.flatMap { $0 } == nil ? "search-system" : "search-type")
        case .history:
            if instance { return interaction("history-instance") }
            return interaction(queriedType.flatMap { $0 } == nil ? "history-system" : "history-type")
        case .create: return interaction("create")
        case .update: return interaction("update")
        case .patch: return interaction("patch")
        case .delete: return interaction("delete")
        case .batch: return interaction("batch")
        case .transaction: return interaction("transaction")
        case .operation(let name):
            let code = name.hasPrefix("$") ? name : "$" + name
            return (rest, [coding(restfulInteractions, "operation", nil), coding(AuditSystem.operation, code, nil)])
        case .ingest: return (coding(dicom, "110107", "Import"), [])
        case .webhookDelivery: return (coding(dicom, "110106", "Export"), [])
        case .authenticate: return (coding(dicom, "110114", "User Authentication"), [coding(dicom, "110122", "Login")])
        }
    }

    /// C create, R read, U update, D delete, E execute (searches, operations, Bundles, logins).
    static func actionCode(_ action: AuditAction) -> String {
        switch action {
        case .create, .ingest: "C"
        case .read, .vread, .history, .webhookDelivery: "R"
        case .update, .patch: "U"
        case .delete: "D"
        case .search, .batch, .transaction, .operation, .authenticate: "E"
        }
    }

    /// 0 success, 4 minor failure (refused, bad credentials), 8 serious failure (the action failed).
    static func outcomeCode(_ outcome: AuditOutcome) -> String {
        switch outcome {
        case .success: "0"
        case .denied, .failedAuthentication: "4"
        case .error: "8"
        }
    }

    /// The failure's reason, then the record's detail.
    static func outcomeDescription(_ record: AuditRecord) -> String {
        let reason: String? = switch record.outcome {
        case .success: nil
        case .denied(let reason), .failedAuthentication(let reason), .error(let reason): reason
        }
        return [reason, record.detail].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: "; ")
    }

    /// Whether `address` is an IPv4 or IPv6 address (network type 2) rather than a host name (type 1).
    static func isIPAddress(_ address: String) -> Bool {
        if address.utf8.contains(UInt8(ascii: ":")) { return address.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." } }
        let parts = address.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in !part.isEmpty && part.allSatisfy(\.isNumber) && (Int(part) ?? 256) < 256 }
    }

    static func coding(_ system: String, _ code: String, _ display: String?) -> JSONValue {
        members([("system", .string(system)), ("code", .string(code)), ("display", display.map(JSONValue.string))])
    }

    static func concept(_ system: String, _ code: String, _ display: String?) -> JSONValue {
        members([("coding", .array([coding(system, code, display)]))])
    }

    /// An object of the members that have a value.
    static func members(_ members: [(String, JSONValue?)]) -> JSONValue {
        .object(JSONObject(members.compactMap { key, value in value.map { (key, $0) } }))
    }

    /// `value` as a FHIR string: nil when absent or empty (FHIR strings are never empty), NUL characters
    /// replaced (PostgreSQL text cannot hold them).
    static func text(_ value: String?) -> JSONValue? {
        guard let value, !value.isEmpty else { return nil }
        return .string(value.utf8.contains(0) ? value.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : value)
    }
}
