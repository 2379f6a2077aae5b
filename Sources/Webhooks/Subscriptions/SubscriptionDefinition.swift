import Authorization
import FHIRCore
import FHIRProfiles
import Foundation
import Store

/// A `Subscription` resource as the hub acts on it: what it matches and where and how notifications go.
///
/// Two kinds (https://hl7.org/fhir/R4/subscription.html and the R4 Subscriptions Backport IG):
/// - criteria: `criteria` is a search (`Appointment?status=cancelled`); every create or update of a resource
///   that then matches it is an event;
/// - topic: `criteria` is the canonical URL of a `SubscriptionTopic`, narrowed by the backport's
///   `backport-filter-criteria` extensions (searches over the topic's filter parameters).
public struct SubscriptionDefinition: Sendable {
    /// What a notification carries (backport `backport-payload-content`).
    public enum PayloadContent: String, Sendable, Hashable {
        case empty
        case idOnly = "id-only"
        case fullResource = "full-resource"
    }

    public enum Kind: Sendable {
        case criteria(SearchQuery)
        case topic(SubscriptionTopic, filters: [SearchQuery])
    }

    public static let backport = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/"

    public let id: String
    public let versionId: Int
    public let status: String
    public let kind: Kind
    public let endpoint: URL
    /// `channel.header` lines, split into name and value.
    public let headers: [(name: String, value: String)]
    public let payload: PayloadContent
    /// `channel.payload`'s MIME type, when there is a payload.
    public let contentType: String?
    /// Seconds between heartbeats when nothing else was sent (backport `backport-heartbeat-period`).
    public let heartbeatPeriod: Int?
    /// Seconds a delivery may take (backport `backport-timeout`); the hub's default otherwise.
    public let timeout: Int?
    /// After this instant the subscription matches nothing (`Subscription.end`).
    public let end: Date?
    /// What the subscriber may see (`SubscriptionAccess`); nil for an unrestricted one.
    public let access: AccessGrant?
    /// The resource as stored.
    public let resource: JSONValue

    /// The resource types whose changes may concern this subscription.
    public var resourceTypes: Set<String> {
        switch kind {
        case .criteria(let query): [query.resourceType]
        case .topic(let topic, _): Set(topic.triggers.map(\.resourceType))
        }
    }

    /// The topic URL, for topic-based subscriptions.
    public var topicURL: String? {
        if case .topic(let topic, _) = kind { return topic.url }
        return nil
    }

    /// Reads and checks `resource`; the errors name the element at fault.
    public init(
        _ resource: JSONValue, id: String, versionId: Int, topics: TopicCatalog, registry: ProfileRegistry, endpoints: EndpointPolicy
    ) throws(WebhookError) {
        self.id = id
        self.versionId = versionId
        self.resource = resource
        status = resource["status"]?.stringValue ?? "requested"
        guard let criteria = resource["criteria"]?.stringValue, !criteria.isEmpty else {
            throw WebhookError(.invalidSubscription, "Subscription.criteria is required")
        }
        if criteria.hasPrefix("http://") || criteria.hasPrefix("https://") {
            guard let topic = topics.topic(criteria) else {
                throw WebhookError(.invalidSubscription, "Subscription.criteria: no topic '\(criteria)'; GET [base]/metadata lists the topics")
            }
            let filters = try Self.filters(resource, topic: topic, registry: registry)
            kind = .topic(topic, filters: filters)
        } else {
            kind = .criteria(try Self.search(criteria, registry: registry, element: "Subscription.criteria"))
        }
        let channel = resource["channel"]
        guard channel?["type"]?.stringValue == "rest-hook" else {
            throw WebhookError(.invalidSubscription, "Subscription.channel.type: only rest-hook is supported")
        }
        guard let endpoint = channel?["endpoint"]?.stringValue else {
            throw WebhookError(.invalidSubscription, "Subscription.channel.endpoint is required for rest-hook")
        }
        do {
            self.endpoint = try endpoints.validate(endpoint)
        } catch {
            throw WebhookError(error.code, "Subscription.channel.endpoint: \(error.message)")
        }
        headers = try (channel?["header"]?.arrayValue ?? []).map { line throws(WebhookError) in
            guard let text = line.stringValue, let colon = text.firstIndex(of: ":"), colon > text.startIndex else {
                throw WebhookError(.invalidSubscription, "Subscription.channel.header: each header is 'Name: value'")
            }
            return (String(text[..<colon]).trimmingCharacters(in: .whitespaces),
                    String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        let mime = channel?["payload"]?.stringValue
        if let mime, !["application/fhir+json", "application/json"].contains(mime) {
            throw WebhookError(.invalidSubscription, "Subscription.channel.payload: only application/fhir+json is supported")
        }
        contentType = mime
        let content = Self.extensionValue(channel?["_payload"], "backport-payload-content")?.stringValue
        if let content {
            guard let parsed = PayloadContent(rawValue: content) else {
                throw WebhookError(.invalidSubscription, "Subscription.channel.payload: content must be empty, id-only or full-resource")
            }
            payload = mime == nil ? .empty : parsed
        } else {
            payload = mime == nil ? .empty : .fullResource
        }
        heartbeatPeriod = Self.extensionValue(channel, "backport-heartbeat-period")?.numberText.flatMap { Int($0) }
        timeout = Self.extensionValue(channel, "backport-timeout")?.numberText.flatMap { Int($0) }
        end = resource["end"]?.stringValue.flatMap(FHIRDateTime.init)?.lowerBound
        access = SubscriptionAccess.grant(of: resource)
    }

    /// Whether changes now should still be matched: `active`; `error`, so nothing is lost while it is fixed;
    /// and `requested`, so nothing is lost while the handshake of a new or resumed subscription is under way
    /// (the events wait until it is `active`).
    public func isMatching(now: Date = Date()) -> Bool {
        (status == "active" || status == "error" || status == "requested") && (end.map { now < $0 } ?? true)
    }

    private static func filters(_ resource: JSONValue, topic: SubscriptionTopic, registry: ProfileRegistry) throws(WebhookError) -> [SearchQuery] {
        let texts = (resource["_criteria"]?["extension"]?.arrayValue ?? [])
            .filter { $0["url"]?.stringValue == backport + "backport-filter-criteria" }
            .compactMap { $0["valueString"]?.stringValue }
        return try texts.map { text throws(WebhookError) in
            let query = try search(text, registry: registry, element: "Subscription.criteria filter")
            let allowed = topic.filterParameters[query.resourceType] ?? []
            guard topic.triggers.contains(where: { $0.resourceType == query.resourceType }) else {
                throw WebhookError(.invalidSubscription, "filter '\(text)': topic \(topic.url) has no \(query.resourceType) trigger")
            }
            for clause in query.clauses where !allowed.contains(clause.parameter) {
                throw WebhookError(.invalidSubscription, "filter '\(text)': topic \(topic.url) cannot filter by '\(clause.parameter)' (it can by \(allowed.sorted().joined(separator: ", ")))")
            }
            return query
        }
    }

    private static func search(_ text: String, registry: ProfileRegistry, element: String) throws(WebhookError) -> SearchQuery {
        let parts = text.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let type = String(parts[0])
        guard registry.isServed(type) else {
            throw WebhookError(.invalidSubscription, "\(element): '\(type)' is not a resource type this server serves")
        }
        let parameters = parts.count > 1 ? String(parts[1]) : ""
        guard !parameters.isEmpty else { return SearchQuery(resourceType: type) }
        do {
            return try SearchQuery(conditional: parameters, type: type, registry: registry)
        } catch {
            throw WebhookError(.invalidSubscription, "\(element): \(error.message)")
        }
    }

    static func extensionValue(_ element: JSONValue?, _ name: String) -> JSONValue? {
        guard let found = element?["extension"]?.arrayValue?.first(where: { $0["url"]?.stringValue == backport + name }) else { return nil }
        for key in ["valueUnsignedInt", "valuePositiveInt", "valueInteger", "valueCode", "valueString"] {
            if let value = found[key] { return value }
        }
        return nil
    }
}
