import FHIRCore
import FHIRProfiles
import Authorization
import Foundation
import Logging
import Store
import Webhooks

/// Carries out FHIR REST interactions against the store; knows nothing of HTTP frameworks, so batch and
/// transaction entries go through exactly the same code as top-level requests.
public struct RestHandler: Sendable {
    let store: ResourceStore
    let registry: ProfileRegistry
    let limits: RestLimits
    /// The subscriptions and topics, when webhooks are on: Subscription writes are checked against them.
    let subscriptions: SubscriptionCatalog?
    let logger: Logger
    /// Whose requests this handler carries out: `.hub` (the hub's own work) unless made with `acting(as:)`.
    private(set) var access = AccessGrant.hub
    /// Membership of the Patient compartment, for confining patient-context grants.
    let compartment: PatientCompartment
    /// Where interactions are recorded; nil records nothing.
    let audit: AuditTrail?
    /// The SMART token endpoint, announced in the CapabilityStatement; nil on an insecure development server.
    let tokenEndpoint: String?
    /// The caller's address, for the audit trail.
    private(set) var remoteAddress: String?
    /// Whether an update whose content is the current version's is left as it is (see `keepingUnchanged()`).
    private(set) var keepsUnchanged = false

    /// A handler over `store`, validating writes with `registry` (and Subscriptions with `subscriptions`).
    public init(
        store: ResourceStore, registry: ProfileRegistry, limits: RestLimits = RestLimits(),
        subscriptions: SubscriptionCatalog? = nil, audit: AuditTrail? = nil, tokenEndpoint: String? = nil, logger: Logger
    ) {
        self.tokenEndpoint = tokenEndpoint
        self.store = store
        self.registry = registry
        self.limits = limits
        self.subscriptions = subscriptions
        self.logger = logger
        self.compartment = PatientCompartment(registry: registry)
        self.audit = audit
    }

    /// This handler, carrying out requests on behalf of `grant` (calling from `remoteAddress`): every
    /// interaction is checked against it and audited as its.
    public func acting(as grant: AccessGrant, from remoteAddress: String? = nil) -> RestHandler {
        var handler = self
        handler.access = grant
        handler.remoteAddress = remoteAddress
        return handler
    }

    /// This handler, with updates that change nothing creating no new version (the current one is returned and
    /// no subscription is notified): what ingest uses, so that an ADT^A08 resent with the same demographics
    /// does not add a version of the Patient each time. REST updates always make a new version.
    public func keepingUnchanged() -> RestHandler {
        var handler = self
        handler.keepsUnchanged = true
        return handler
    }

    /// Handles one request, and records it in the audit trail; `base` is the absolute FHIR base URL
    /// (e.g. `http://host:8080/fhir`).
    public func handle(_ request: FHIRRequest, base: String) async -> FHIRResponse {
        let response = await respond(request, base: base)
        recordAudit(request, response)
        return response
    }

    private func respond(_ request: FHIRRequest, base: String) async -> FHIRResponse {
        do {
            let interaction = try FHIRInteraction.resolve(method: request.method, path: request.path)
            if let type = interaction.resourceType, !registry.isServed(type) { throw FHIRError.notSupportedType(type) }
            switch interaction {
            case .capabilities:
                return FHIRResponse(status: 200, body: .resource(CapabilityStatementBuilder(
                    registry: registry, topics: subscriptions.map { Array($0.topics.topics.keys) } ?? [], tokenEndpoint: tokenEndpoint
                ).build(base: base)))
            case .batchOrTransaction:
                return try await BundleProcessor(handler: self).process(request, base: base)
            case .create(_) where request.ifNoneExist != nil, .conditionalUpdate, .conditionalDelete, .conditionalPatch:
                return try await store.withTransaction { session in
                    try await perform(interaction, request, in: session, base: base)
                }
            default:
                return try await store.withSession { session in
                    try await perform(interaction, request, in: session, base: base)
                }
            }
        } catch {
            return FHIRResponse(Self.fhirError(error, logger: logger))
        }
    }

    /// Turns any error into the `FHIRError` to answer with; unexpected ones are logged once and become 500.
    static func fhirError(_ error: any Error, logger: Logger) -> FHIRError {
        switch error {
        case let error as FHIRError: return error
        case let error as StoreError:
            if error.code == .database { logger.error("store failure", metadata: ["error": "\(error)"]) }
            return FHIRError(error)
        case let error as FHIRCoreError: return FHIRError(error)
        default:
            logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
            return FHIRError(500, code: "exception", "The server could not complete the request")
        }
    }

    /// Carries out `interaction` on `session` (which may be inside a transaction).
    func perform(
        _ interaction: FHIRInteraction, _ request: FHIRRequest, in session: StoreSession, base: String
    ) async throws -> FHIRResponse {
        switch interaction {
        case .read(let type, let id): return try await read(type, id, request, session)
        case .vread(let type, let id, let version): return try await read(type, id, version: version, session)
        case .create(let type): return try await create(type, request, session)
        case .update(let type, let id): return try await update(type, id: id, request, session)
        case .conditionalUpdate(let type): return try await update(type, id: nil, request, session)
        case .patch(let type, let id): return try await patch(type, id: id, request, session)
        case .conditionalPatch(let type): return try await patch(type, id: nil, request, session)
        case .delete(let type, let id): return try await delete(type, id: id, request, session)
        case .conditionalDelete(let type): return try await delete(type, id: nil, request, session)
        case .historyInstance(let type, let id):
            return try await history(HistoryQuery(resourceType: type, id: id), request, session, base: base)
        case .historyType(let type):
            return try await history(HistoryQuery(resourceType: type), request, session, base: base)
        case .historySystem: return try await history(HistoryQuery(), request, session, base: base)
        case .validate(let type): return try validate(type, request)
        case .search(let type): return try await search(type, request, session, base: base)
        case .compartmentSearch(let compartment, let id, let type):
            return try await search(type, request, session, base: base, compartment: (compartment, id))
        case .everything(let type, let id): return try await everything(type, id, request, session, base: base)
        case .subscriptionOperation(let id, let name): return try await subscriptionOperation(id, name, request, session, base: base)
        case .capabilities, .batchOrTransaction:
            // `handle` answers these itself; inside a batch or transaction they are not allowed.
            throw FHIRError(400, code: "not-supported", "This interaction cannot be part of a batch or transaction")
        }
    }
}

/// Bounds on what one request may ask for.
public struct RestLimits: Sendable, Hashable {
    /// Page size when `_count` is not given.
    public var defaultPageSize: Int
    /// The largest page size honoured (a larger `_count` is reduced to it).
    public var maximumPageSize: Int
    /// The most entries a batch or transaction Bundle may have.
    public var maximumBundleEntries: Int

    public init(defaultPageSize: Int = 50, maximumPageSize: Int = 1000, maximumBundleEntries: Int = 10_000) {
        self.defaultPageSize = defaultPageSize
        self.maximumPageSize = maximumPageSize
        self.maximumBundleEntries = maximumBundleEntries
    }
}
