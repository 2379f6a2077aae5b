import AsyncHTTPClient
import Logging
import ServiceLifecycle
import Store

/// The dispatcher as a service: owns the HTTP client it sends with and shuts it down after the dispatcher's
/// last round (graceful shutdown lets that round finish).
public struct WebhookDeliveryService: Service {
    let store: ResourceStore
    let catalog: SubscriptionCatalog
    let settings: DispatcherSettings
    let logger: Logger

    public init(store: ResourceStore, catalog: SubscriptionCatalog, settings: DispatcherSettings, logger: Logger) {
        self.store = store
        self.catalog = catalog
        self.settings = settings
        self.logger = logger
    }

    public func run() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: WebhookSender.clientConfiguration(
            connectionsPerHost: settings.concurrency
        ))
        let dispatcher = WebhookDispatcher(
            store: store, catalog: catalog, sender: WebhookSender(client: client), settings: settings, logger: logger
        )
        do {
            try await dispatcher.run()
        } catch {
            logger.error("webhook dispatcher stopped", metadata: ["error": "\(error)"])
        }
        try await client.shutdown()
    }
}
