import CareBridgeServer
import EmbeddedPostgres
import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Store
import Testing

/// The whole hub, running live (with its webhook dispatcher) over a fresh database of the shared test cluster.
struct WebhookHub: Sendable {
    let client: any TestClientProtocol

    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `test` against a live hub whose dispatcher retries on `retrySchedule` and polls every 50 ms.
    static func run<T: Sendable>(
        retrySchedule: String = "1s,1s", timeoutSeconds: Double = 2, paymentGateways: String? = nil, _ test: @Sendable (WebhookHub) async throws -> T
    ) async throws -> T {
        let (cluster, name) = try ThrowawayCluster.makeDatabase(prefix: "webhooks")
        let location = DatabaseLocation(socketPath: cluster.socketPath, user: EmbeddedCluster.superuser, database: name)
        var logger = Logger(label: "carebridge.webhooks.test")
        logger.logLevel = ProcessInfo.processInfo.environment["WEBHOOK_TEST_LOG"] == nil ? .critical : .debug
        let postgres = PostgresClient(configuration: location.configuration, backgroundLogger: logger)
        var configuration = HubConfiguration(
            httpPort: 0, profilesDirectory: repositoryRoot.appendingPathComponent("profiles").path,
            mappingsDirectory: repositoryRoot.appendingPathComponent("mappings").path, insecureDevelopment: true
        )
        configuration.webhooks.retrySchedule = retrySchedule
        configuration.webhooks.timeoutSeconds = timeoutSeconds
        configuration.webhooks.pollMilliseconds = 50
        if let paymentGateways {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("gateways-\(UUID().uuidString).json")
            try paymentGateways.write(to: file, atomically: true, encoding: .utf8)
            configuration.paymentGatewaysFile = file.path
        }
        let app = try buildApplication(
            configuration: configuration, database: HubDatabase(client: postgres, cluster: nil), logger: logger
        )
        return try await app.test(.live) { client in try await test(WebhookHub(client: client)) }
    }

    /// Sends a request with a JSON body and returns status and parsed body (nil when the body is empty).
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, contentType: String = "application/fhir+json"
    ) async throws -> (status: Int, json: JSONValue?) {
        var fields = HTTPFields()
        if body != nil { fields[.contentType] = contentType }
        let response = try await client.executeRequest(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) })
        let bytes = Array(response.body.readableBytesView)
        return (Int(response.status.code), bytes.isEmpty || bytes.first != UInt8(ascii: "{") ? nil : try JSONParser().parse(bytes))
    }

    /// Creates a resource and returns its id.
    func create(_ type: String, _ body: String) async throws -> String {
        let (status, json) = try await send(.post, "/fhir/\(type)", body)
        #expect(status == 201, "create \(type) answered \(status): \(json.map(JSONWriter.string) ?? "")")
        return json?["id"]?.stringValue ?? ""
    }

    /// Creates a Subscription and waits until the handshake made it `active`; returns its id and secret.
    func subscribe(_ body: String) async throws -> (id: String, secret: String) {
        let id = try await create("Subscription", body)
        try #require(try await waitForStatus(id, "active") == "active", "Subscription/\(id) did not become active")
        let (_, state) = try await send(.get, "/webhooks/subscriptions/\(id)/secret")
        return (id, state?["secret"]?.stringValue ?? "")
    }

    /// Waits up to a minute for Subscription `id` to have `status`; returns the status it has at the end.
    func waitForStatus(_ id: String, _ status: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(60)
        var current = ""
        while ContinuousClock.now < deadline {
            current = try await send(.get, "/fhir/Subscription/\(id)").json?["status"]?.stringValue ?? ""
            if current == status { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return current
    }
}

/// R4 Subscription JSON for the tests.
enum SubscriptionJSON {
    static let topicBase = "https://carebridge.dev/fhir/SubscriptionTopic/"
    static let backport = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/"

    static func topic(_ name: String, endpoint: URL, content: String = "full-resource", filter: String? = nil) -> String {
        let criteriaExtension = filter.map {
            #", "_criteria": {"extension": [{"url": "\#(backport)backport-filter-criteria", "valueString": "\#($0)"}]}"#
        } ?? ""
        return """
            {"resourceType": "Subscription", "status": "requested", "reason": "test", "criteria": "\(topicBase)\(name)"\(criteriaExtension),
             "channel": {"type": "rest-hook", "endpoint": "\(endpoint.absoluteString)", "payload": "application/fhir+json",
               "_payload": {"extension": [{"url": "\(backport)backport-payload-content", "valueCode": "\(content)"}]}}}
            """
    }

    static func criteria(_ criteria: String, endpoint: URL, payload: Bool = false) -> String {
        """
        {"resourceType": "Subscription", "status": "requested", "reason": "test", "criteria": "\(criteria)",
         "channel": {"type": "rest-hook", "endpoint": "\(endpoint.absoluteString)"\(payload ? #", "payload": "application/fhir+json""# : "")}}
        """
    }
}
