import Authorization
import Foundation

/// What happened, for the audit trail: one interaction, ingest, webhook delivery or authentication attempt.
/// The trail turns it into an R4 `AuditEvent`.
public struct AuditRecord: Sendable, Hashable {
    /// What was done.
    public var action: AuditAction
    /// Who did it; nil when the caller was not authenticated.
    public var grant: AccessGrant?
    /// Where the request came from (the caller's IP address, or an MLLP peer).
    public var remoteAddress: String?
    /// What it was done to: resources, a query, an inbound message, a subscription's event.
    public var entities: [AuditEntity]
    /// How it ended.
    public var outcome: AuditOutcome
    /// More words for the reader (an HTTP status, a delivery's endpoint and answer, an ingest summary).
    public var detail: String?
    /// When it happened; defaults to the moment the record is made.
    public var recorded: Date
    /// Where data went, when the hub sent it out (a webhook endpoint's host): a second, receiving agent.
    public var destination: String?

    public init(
        action: AuditAction, grant: AccessGrant?, remoteAddress: String? = nil, entities: [AuditEntity] = [],
        outcome: AuditOutcome = .success, detail: String? = nil, recorded: Date = Date(), destination: String? = nil
    ) {
        self.action = action
        self.grant = grant
        self.remoteAddress = remoteAddress
        self.entities = entities
        self.outcome = outcome
        self.detail = detail
        self.recorded = recorded
        self.destination = destination
    }
}

/// The kinds of audited work. REST interactions follow http://hl7.org/fhir/restful-interaction.
public enum AuditAction: Sendable, Hashable {
    case read
    case vread
    /// A search; of one type (`search-type`) or of the whole server (`search-system`) as its query entity says.
    case search
    /// A history; of an instance, a type or the system, as its entity says.
    case history
    case create
    case update
    case patch
    case delete
    /// A batch Bundle (its entries are audited one by one as well).
    case batch
    /// A transaction Bundle (its entries are audited one by one as well).
    case transaction
    /// An operation such as `everything`, `validate`, `status` (its name, without `$`).
    case operation(String)
    /// An inbound HL7v2 or XML message taken in (MLLP, HTTP `$ingest`, the CLI) or replayed.
    case ingest
    /// One attempt to deliver a webhook notification (event, handshake or heartbeat).
    case webhookDelivery
    /// An attempt to authenticate: a bearer token checked, or a token requested.
    case authenticate
}

/// Something an audited action touched.
public enum AuditEntity: Sendable, Hashable {
    /// One resource, at one version when known.
    case resource(type: String, id: String, version: Int? = nil)
    /// A search or history query: the resource type (nil for the whole server) and the query string as sent.
    case query(type: String?, query: String)
    /// An inbound message: its log id (nil when it could not be stored), sender (`MSH-3^MSH-4`), control id
    /// and message type.
    case inboundMessage(logID: Int64?, sender: String, controlID: String, messageType: String)
    /// A webhook notification of `Subscription/subscriptionID`: an event by number, or a handshake/heartbeat
    /// (`eventNumber` nil, `kind` says which).
    case notification(subscriptionID: String, eventNumber: Int64?, kind: String)
}

/// How an audited action ended.
public enum AuditOutcome: Sendable, Hashable {
    case success
    /// Refused for lack of rights (403, or 404 hiding what the caller may not see); the reason.
    case denied(String)
    /// Credentials missing, invalid or expired; the reason.
    case failedAuthentication(String)
    /// The action failed (a client error, a server error, an endpoint that did not take a delivery); the reason.
    case error(String)
}
