import Foundation

/// Everything `carebridge serve` can be told, from flags or the environment.
public struct HubConfiguration: Sendable {
    /// Address the HTTP server binds to.
    public var httpHost: String
    public var httpPort: Int
    /// Port for the MLLP listener (HL7v2 over TCP); nil runs none, 0 picks a free port.
    public var mllpPort: Int?
    /// The MLLP listener's limits: largest message, idle time before a silent connection is closed, and the
    /// source addresses or CIDR blocks allowed to connect (nil allows any).
    public var mllpMaximumFrameSize = 16 * 1024 * 1024
    public var mllpIdleTimeoutSeconds = 300
    public var mllpAllowedSources: [String]?
    /// The most MLLP connections open at once; more are closed as soon as they are accepted.
    public var mllpMaximumConnections = 256
    /// Folder of the embedded PostgreSQL cluster, used when `databaseURL` is nil.
    public var dataDirectory: String
    /// A `postgres://` URL of an existing server; nil runs the embedded cluster.
    public var databaseURL: String?
    /// Folder of the derived FHIR profiles; nil searches the usual places.
    public var profilesDirectory: String?
    /// Folder of the HL7v2 mappings; nil searches the usual places (`./mappings`, next to the binary).
    public var mappingsDirectory: String?
    /// The FHIR base URL to put in links and `Location`; nil derives it from each request's `Host`.
    public var publicBaseURL: String?
    /// The largest request body accepted, in bytes.
    public var maximumBodySize: Int
    /// Run without authorization (development only). Excludes `securityConfigurationFile`.
    public var insecureDevelopment: Bool
    /// The YAML security configuration (roles, identity providers, backend clients); the hub refuses to start
    /// without it unless `insecureDevelopment` is set.
    public var securityConfigurationFile: String?
    /// The JSON file listing the payment gateways allowed to post to `/payments/webhook/{gateway}`; nil
    /// configures none.
    public var paymentGatewaysFile: String?
    /// Outbound webhooks: endpoint allow-list, retry schedule, timeout, polling.
    public var webhooks = WebhookSettings()
    public var limits: RestLimits
    /// Requests each client may make (429 with `Retry-After` beyond it); nil for no limit. `carebridge serve`
    /// turns it on (``RateLimit/standard``) unless told otherwise.
    public var rateLimit: RateLimit?
    /// How long one search statement may run before the database stops it (408 `too-costly`); nil for no
    /// limit. `carebridge serve` sets 10 seconds unless told otherwise.
    public var searchTimeout: Duration?

    public init(
        httpHost: String = "127.0.0.1", httpPort: Int = 8080, mllpPort: Int? = nil,
        dataDirectory: String = ".carebridge/pg", databaseURL: String? = nil, profilesDirectory: String? = nil,
        mappingsDirectory: String? = nil,
        publicBaseURL: String? = nil, maximumBodySize: Int = 32 * 1024 * 1024, insecureDevelopment: Bool = false,
        limits: RestLimits = RestLimits()
    ) {
        self.httpHost = httpHost
        self.httpPort = httpPort
        self.mllpPort = mllpPort
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
        self.profilesDirectory = profilesDirectory
        self.mappingsDirectory = mappingsDirectory
        self.publicBaseURL = publicBaseURL
        self.maximumBodySize = maximumBodySize
        self.insecureDevelopment = insecureDevelopment
        self.limits = limits
    }
}

/// How the hub delivers webhooks (issue 5).
public struct WebhookSettings: Sendable {
    /// Hosts subscriber endpoints may point at (`ehr.example.org`, `*.example.org`, `host:port`); empty allows any.
    public var allowedHosts: [String] = []
    /// The waits between attempts (`5s,30s,2m,10m,1h,...`); nil uses the default schedule.
    public var retrySchedule: String?
    /// Seconds a delivery may take when its Subscription does not say.
    public var timeoutSeconds: Double = 10
    /// How often the dispatcher looks for due deliveries when it is idle.
    public var pollMilliseconds: Int = 50
    /// Folder of the SubscriptionTopic definitions; nil uses `topics/` in the profiles folder.
    public var topicsDirectory: String?

    public init() {}
}
