import Authorization
import FHIRCore
import Foundation

/// Turns an `AuditRecord` into an R4 `AuditEvent` (https://hl7.org/fhir/R4/auditevent.html):
/// - `type`: `rest` (audit-event-type) for REST interactions, with the restful-interaction code as `subtype`;
///   DICOM `110107` Import for ingest, `110106` Export for webhook deliveries, `110114` User Authentication
///   (subtype `110122` Login) for authentication attempts;
/// - `action` C/R/U/D/E, `recorded`, `outcome` 0/4/8 with `outcomeDesc`;
/// - `agent`: the requestor (client id as identifier, `fhirUser` as reference, roles, subject as `altId`,
///   network address), and for webhook deliveries the receiving endpoint as a second agent;
/// - `source.observer`: this hub; `entity`: the resources, query (base64), inbound message or notification.
public struct AuditEventBuilder: Sendable {
    /// What names this hub process in `source.observer` (its host name), so several nodes can be told apart.
    public let observer: String

    public init(observer: String) {
        self.observer = observer
    }

    /// The `AuditEvent` of `record`, without an id (the store assigns one).
    public func event(_ record: AuditRecord) -> FHIRResource {
        let (type, subtypes) = Self.type(of: record)
        let members: [(String, JSONValue?)] = [
            ("type", type),
            ("subtype", subtypes.isEmpty ? nil : .array(subtypes)),
            ("action", .string(Self.actionCode(record.action))),
            ("recorded", .string(FHIRInstant.string(from: record.recorded))),
            ("outcome", .string(Self.outcomeCode(record.outcome))),
            ("outcomeDesc", Self.text(Self.outcomeDescription(record))),
            ("agent", .array(agents(record))),
            ("source", source),
            ("entity", record.entities.isEmpty ? nil : .array(record.entities.map(Self.entity))),
        ]
        return FHIRResource(resourceType: "AuditEvent", members.compactMap { key, value in value.map { (key, $0) } })
    }

    private func agents(_ record: AuditRecord) -> [JSONValue] {
        let requestor = Self.members([
            ("type", Self.concept(Self.dicom, "110153", "Source Role ID")),
            ("role", record.grant.flatMap { grant in
                grant.roles.isEmpty ? nil : .array(grant.roles.map { Self.concept(AuditSystem.role, $0, nil) })
            }),
            ("who", Self.who(record.grant)),
            ("altId", Self.text(record.grant?.subject)),
            ("name", Self.text(record.grant?.displayName ?? "unauthenticated")),
            ("requestor", .bool(true)),
            ("network", Self.network(record.remoteAddress)),
        ])
        var agents = [requestor]
        if let destination = record.destination {
            agents.append(Self.members([
                ("type", Self.concept(Self.dicom, "110152", "Destination Role ID")),
                ("who", Self.members([("display", Self.text(destination))])),
                ("requestor", .bool(false)),
                ("network", Self.network(destination)),
            ]))
        }
        return agents
    }

    private var source: JSONValue {
        Self.members([
            ("site", .string("CareBridge")),
            ("observer", Self.members([
                ("identifier", Self.members([("system", .string(AuditSystem.hub)), ("value", Self.text(observer))])),
                ("display", .string("CareBridge hub \(observer)")),
            ])),
            ("type", .array([Self.coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server")])),
        ])
    }

    private static func who(_ grant: AccessGrant?) -> JSONValue {
        guard let grant else { return members([("display", .string("unauthenticated"))]) }
        return members([
            ("reference", text(grant.fhirUser)),
            ("identifier", grant.clientID.map { members([("system", .string(AuditSystem.client)), ("value", text($0))]) }),
            ("display", text(grant.displayName)),
        ])
    }

    private static func network(_ address: String?) -> JSONValue? {
        guard let address = text(address) else { return nil }
        let isIP = address.stringValue.map(isIPAddress) ?? false
        return members([("address", address), ("type", .string(isIP ? "2" : "1"))])
    }

    static func entity(_ entity: AuditEntity) -> JSONValue {
        switch entity {
        case .resource(let type, let id, let version):
            let reference = version.map { "\(type)/\(id)/_history/\($0)" } ?? "\(type)/\(id)"
            return members([
                ("what", members([("reference", text(reference))])),
                ("type", coding(resourceTypes, type, nil)),
            ])
        case .query(let type, let query):
            return members([
                ("type", type.map { coding(resourceTypes, $0, nil) } ?? coding(entityTypes, "2", "System Object")),
                ("role", coding(objectRoles, "24", "Query")),
                ("description", text(query.isEmpty ? type : "\(type ?? "")?\(query)")),
                ("query", query.isEmpty ? nil : .string(Data(query.utf8).base64EncodedString())),
            ])
        case .inboundMessage(let logID, let sender, let controlID, let messageType):
            return members([
                ("what", logID.map { id in
                    members([
                        ("identifier", members([("system", .string(AuditSystem.inboundMessage)), ("value", .string(String(id)))])),
                        ("display", .string("inbound message \(id)")),
                    ])
                }),
                ("type", coding(entityTypes, "2", "System Object")),
                ("name", text(sender)),
                ("description", text([messageType, controlID.isEmpty ? "" : "control id \(controlID)"].filter { !$0.isEmpty }.joined(separator: ", "))),
                ("detail", details([("control-id", controlID), ("message-type", messageType)])),
            ])
        case .notification(let subscriptionID, let eventNumber, let kind):
            return members([
                ("what", members([("reference", text("Subscription/\(subscriptionID)"))])),
                ("type", coding(resourceTypes, "Subscription", nil)),
                ("role", coding(objectRoles, "9", "Subscriber")),
                ("detail", details([("notification-type", kind), ("event-number", eventNumber.map(String.init) ?? "")])),
            ])
        }
    }

    private static func details(_ pairs: [(String, String)]) -> JSONValue? {
        let entries = pairs.compactMap { type, value in
            text(value).map { members([("type", .string(type)), ("valueString", $0)]) }
        }
        return entries.isEmpty ? nil : .array(entries)
    }
}
