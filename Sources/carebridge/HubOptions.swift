import ArgumentParser
import CareBridgeServer
import Foundation

/// The options `serve` and `migrate` share; each flag falls back to its environment variable.
struct HubOptions: ParsableArguments {
    @Option(name: .customLong("http-host"), help: "Address to bind (env CAREBRIDGE_HTTP_HOST; default 127.0.0.1).")
    var httpHost: String?

    @Option(name: .customLong("http-port"), help: "HTTP port (env CAREBRIDGE_HTTP_PORT; default 8080).")
    var httpPort: Int?

    @Option(name: .customLong("mllp-port"), help: "MLLP port for HL7v2 (env CAREBRIDGE_MLLP_PORT; default 2575).")
    var mllpPort: Int?

    @Option(name: .customLong("mllp-max-frame-bytes"), help: "Largest MLLP message (env CAREBRIDGE_MLLP_MAX_FRAME_BYTES; default 16 MiB).")
    var mllpMaximumFrameSize: Int?

    @Option(name: .customLong("mllp-idle-timeout"), help: "Seconds before a silent MLLP connection is closed (env CAREBRIDGE_MLLP_IDLE_TIMEOUT; default 300).")
    var mllpIdleTimeout: Int?

    @Option(name: .customLong("mllp-allow"), help: "Comma-separated addresses or CIDR blocks allowed to connect over MLLP (env CAREBRIDGE_MLLP_ALLOW; default any).")
    var mllpAllow: String?

    @Option(name: .customLong("data-dir"), help: "Embedded PostgreSQL folder (env CAREBRIDGE_DATA_DIR; default ./.carebridge/pg).")
    var dataDirectory: String?

    @Option(name: .customLong("database-url"), help: "postgres:// URL of an existing server (env DATABASE_URL); none runs the embedded one.")
    var databaseURL: String?

    @Option(name: .customLong("profiles-dir"), help: "Folder of derived FHIR profiles (env CAREBRIDGE_PROFILES_DIR).")
    var profilesDirectory: String?

    @Option(name: .customLong("mappings-dir"), help: "Folder of HL7v2 mappings (env CAREBRIDGE_MAPPINGS_DIR; default ./mappings).")
    var mappingsDirectory: String?

    @Option(name: .customLong("base-url"), help: "Public FHIR base URL for links (env CAREBRIDGE_BASE_URL).")
    var baseURL: String?

    @Option(name: .customLong("max-body-bytes"), help: "Largest request body accepted (env CAREBRIDGE_MAX_BODY_BYTES; default 32 MiB).")
    var maximumBodySize: Int?

    @Option(name: .customLong("payment-gateways"), help: "JSON file of payment gateways that may post to /payments/webhook/{name} (env CAREBRIDGE_PAYMENT_GATEWAYS; default none).")
    var paymentGatewaysFile: String?

    @Option(name: .customLong("webhook-allow"), help: "Comma-separated hosts webhook endpoints may use (host, *.domain, host:port) (env CAREBRIDGE_WEBHOOK_ALLOW; default any).")
    var webhookAllow: String?

    @Option(name: .customLong("webhook-retry-schedule"), help: "Waits between webhook attempts, e.g. 5s,30s,2m,10m,1h (env CAREBRIDGE_WEBHOOK_RETRY_SCHEDULE; default 5s,30s,2m,10m,1h,3h,6h,12h,24h).")
    var webhookRetrySchedule: String?

    @Option(name: .customLong("webhook-timeout"), help: "Seconds a webhook delivery may take (env CAREBRIDGE_WEBHOOK_TIMEOUT; default 10).")
    var webhookTimeout: Int?

    @OptionGroup(title: "Limits")
    var limits: LimitOptions

    @Option(name: .customLong("auth-config"), help: "YAML security configuration: roles, identity providers, backend clients (env CAREBRIDGE_AUTH_CONFIG).")
    var authConfig: String?

    @Flag(name: .customLong("insecure-dev"), help: "Run without authorization, for development only (env CAREBRIDGE_INSECURE_DEV=1); excludes --auth-config.")
    var insecureDevelopment = false

    /// The configuration these options and the environment give.
    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> HubConfiguration {
        var configuration = HubConfiguration()
        configuration.httpHost = httpHost ?? environment["CAREBRIDGE_HTTP_HOST"] ?? configuration.httpHost
        configuration.httpPort = try httpPort ?? Self.integer("CAREBRIDGE_HTTP_PORT", environment) ?? configuration.httpPort
        configuration.mllpPort = try mllpPort ?? Self.integer("CAREBRIDGE_MLLP_PORT", environment) ?? 2575
        configuration.mllpMaximumFrameSize = try mllpMaximumFrameSize ?? Self.integer("CAREBRIDGE_MLLP_MAX_FRAME_BYTES", environment)
            ?? configuration.mllpMaximumFrameSize
        configuration.mllpIdleTimeoutSeconds = try mllpIdleTimeout ?? Self.integer("CAREBRIDGE_MLLP_IDLE_TIMEOUT", environment)
            ?? configuration.mllpIdleTimeoutSeconds
        configuration.mllpAllowedSources = (mllpAllow ?? environment["CAREBRIDGE_MLLP_ALLOW"]).map {
            $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        configuration.dataDirectory = dataDirectory ?? environment["CAREBRIDGE_DATA_DIR"] ?? configuration.dataDirectory
        configuration.databaseURL = databaseURL ?? environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.profilesDirectory = profilesDirectory ?? environment["CAREBRIDGE_PROFILES_DIR"]
        configuration.mappingsDirectory = mappingsDirectory ?? environment["CAREBRIDGE_MAPPINGS_DIR"]
        configuration.publicBaseURL = (baseURL ?? environment["CAREBRIDGE_BASE_URL"]).map {
            $0.hasSuffix("/") ? String($0.dropLast()) : $0
        }
        configuration.maximumBodySize = try maximumBodySize ?? Self.integer("CAREBRIDGE_MAX_BODY_BYTES", environment)
            ?? configuration.maximumBodySize
        configuration.paymentGatewaysFile = (paymentGatewaysFile ?? environment["CAREBRIDGE_PAYMENT_GATEWAYS"]).flatMap { $0.isEmpty ? nil : $0 }
        configuration.webhooks.allowedHosts = (webhookAllow ?? environment["CAREBRIDGE_WEBHOOK_ALLOW"]).map {
            $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        } ?? []
        configuration.webhooks.retrySchedule = (webhookRetrySchedule ?? environment["CAREBRIDGE_WEBHOOK_RETRY_SCHEDULE"])
            .flatMap { $0.isEmpty ? nil : $0 }
        if let timeout = try webhookTimeout ?? Self.integer("CAREBRIDGE_WEBHOOK_TIMEOUT", environment) {
            configuration.webhooks.timeoutSeconds = Double(timeout)
        }
        try limits.apply(to: &configuration, environment: environment)
        configuration.insecureDevelopment = insecureDevelopment || ["1", "true", "yes"].contains(environment["CAREBRIDGE_INSECURE_DEV"] ?? "")
        configuration.securityConfigurationFile = (authConfig ?? environment["CAREBRIDGE_AUTH_CONFIG"]).flatMap { $0.isEmpty ? nil : $0 }
        return configuration
    }

    private static func integer(_ name: String, _ environment: [String: String]) throws -> Int? {
        guard let text = environment[name], !text.isEmpty else { return nil }
        guard let value = Int(text) else { throw ValidationError("\(name)=\(text) is not a number") }
        return value
    }
}
