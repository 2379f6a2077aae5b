import FHIRCore
import FHIRPath
import Foundation

/// A topic subscribers can ask for (R5 `SubscriptionTopic`, as the R4 Subscriptions Backport IG uses it): which
/// changes to which resources make an event, decided by FHIRPath over `%previous` and `%current`.
public struct SubscriptionTopic: Sendable, Hashable {
    /// One kind of change that fires the topic.
    public struct Trigger: Sendable, Hashable {
        /// The resource type it watches.
        public let resourceType: String
        /// Which interactions it considers (`create`, `update`, `delete`).
        public let interactions: Set<String>
        /// True for the changes that fire; `%previous` is empty for a create, `%current` for a delete.
        public let criteria: FHIRPathExpression
    }

    /// The canonical URL subscribers put in `Subscription.criteria`.
    public let url: String
    public let name: String
    public let title: String
    public let triggers: [Trigger]
    /// The search parameters a subscriber may filter on, by resource type.
    public let filterParameters: [String: Set<String>]
    /// The resource as written in `profiles/topics/`, to serve as-is.
    public let json: JSONValue

    /// Reads a topic from its `SubscriptionTopic` JSON.
    public init(json: JSONValue) throws(WebhookError) {
        guard json["resourceType"]?.stringValue == "SubscriptionTopic", let url = json["url"]?.stringValue else {
            throw WebhookError(.invalidSubscription, "a topic needs resourceType SubscriptionTopic and a url")
        }
        var triggers: [Trigger] = []
        for trigger in json["resourceTrigger"]?.arrayValue ?? [] {
            guard let resource = trigger["resource"]?.stringValue, let text = trigger["fhirPathCriteria"]?.stringValue else {
                throw WebhookError(.invalidSubscription, "topic \(url): each resourceTrigger needs resource and fhirPathCriteria")
            }
            let criteria: FHIRPathExpression
            do {
                criteria = try FHIRPathExpression(text)
            } catch {
                throw WebhookError(.invalidSubscription, "topic \(url): fhirPathCriteria: \(error)")
            }
            let interactions = (trigger["supportedInteraction"]?.arrayValue ?? []).compactMap(\.stringValue)
            triggers.append(Trigger(
                resourceType: Self.typeName(resource), interactions: Set(interactions.isEmpty ? ["create", "update", "delete"] : interactions),
                criteria: criteria
            ))
        }
        var filters: [String: Set<String>] = [:]
        for filter in json["canFilterBy"]?.arrayValue ?? [] {
            guard let parameter = filter["filterParameter"]?.stringValue else { continue }
            let resource = filter["resource"]?.stringValue.map(Self.typeName) ?? triggers.first?.resourceType ?? ""
            filters[resource, default: []].insert(parameter)
        }
        self.url = url
        self.name = json["name"]?.stringValue ?? url
        self.title = json["title"]?.stringValue ?? name
        self.triggers = triggers
        self.filterParameters = filters
        self.json = json
    }

    /// Whether the change from `previous` to `current` (either may be nil) by `interaction` fires the topic.
    public func fires(interaction: String, resourceType: String, previous: JSONValue?, current: JSONValue?) throws(WebhookError) -> Bool {
        for trigger in triggers where trigger.resourceType == resourceType && trigger.interactions.contains(interaction) {
            let environment: [String: [FHIRPathValue]] = [
                "previous": previous.map { [.node(FHIRPathNode(value: $0, typeName: resourceType))] } ?? [],
                "current": current.map { [.node(FHIRPathNode(value: $0, typeName: resourceType))] } ?? [],
            ]
            do {
                let result = try trigger.criteria.evaluate(on: current ?? previous ?? .object(JSONObject()), environment: environment)
                if result.count == 1, case .boolean(true) = result[0] { return true }
            } catch {
                throw WebhookError(.invalidSubscription, "topic \(url): fhirPathCriteria failed: \(error)")
            }
        }
        return false
    }

    /// `Appointment` from `http://hl7.org/fhir/StructureDefinition/Appointment` or `Appointment`.
    static func typeName(_ resource: String) -> String {
        resource.split(separator: "/").last.map(String.init) ?? resource
    }
}

/// The topics the hub offers, loaded from `profiles/topics/*.json`.
public struct TopicCatalog: Sendable {
    public let topics: [String: SubscriptionTopic]

    public init(topics: [SubscriptionTopic]) {
        self.topics = Dictionary(topics.map { ($0.url, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Loads every `*.json` file of `folder` (none when the folder does not exist).
    public static func load(from folder: URL) throws(WebhookError) -> TopicCatalog {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        var topics: [SubscriptionTopic] = []
        for name in names {
            let file = folder.appendingPathComponent(name)
            do {
                let data = try Data(contentsOf: file)
                topics.append(try SubscriptionTopic(json: try JSONParser().parse(Array(data))))
            } catch let error as WebhookError {
                throw error
            } catch {
                throw WebhookError(.invalidSubscription, "topic file \(name): \(error)")
            }
        }
        return TopicCatalog(topics: topics)
    }

    /// The topic with canonical URL `url` (a `|version` suffix is ignored).
    public func topic(_ url: String) -> SubscriptionTopic? {
        topics[url.split(separator: "|", maxSplits: 1).first.map(String.init) ?? url]
    }
}
