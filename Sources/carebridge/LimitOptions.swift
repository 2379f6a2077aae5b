import ArgumentParser
import CareBridgeServer

/// The limits `serve` keeps on what clients may ask (issue 7, part 5); each flag falls back to its environment
/// variable, then to the default it names.
struct LimitOptions: ParsableArguments {
    @Option(name: .customLong("rate-limit"), help: ArgumentHelp(
        "Requests per second each client may make; 0 turns rate limiting off (env CAREBRIDGE_RATE_LIMIT; default 200).",
        valueName: "requests-per-second"))
    var rateLimit: Double?

    @Option(name: .customLong("rate-burst"), help: ArgumentHelp(
        "Requests a quiet client may send at once (env CAREBRIDGE_RATE_BURST; default twice the rate).",
        valueName: "n"))
    var rateBurst: Int?

    @Option(name: .customLong("search-timeout"), help: ArgumentHelp(
        "Seconds a search statement may run before it is stopped with 408 too-costly; 0 for no limit (env CAREBRIDGE_SEARCH_TIMEOUT; default 10).",
        valueName: "seconds"))
    var searchTimeout: Double?

    @Option(name: .customLong("max-page-size"), help: ArgumentHelp(
        "Largest page a search returns; a larger _count is reduced to it (env CAREBRIDGE_MAX_PAGE_SIZE; default 1000).",
        valueName: "n"))
    var maximumPageSize: Int?

    @Option(name: .customLong("max-bundle-entries"), help: ArgumentHelp(
        "Most entries a batch or transaction Bundle may have (env CAREBRIDGE_MAX_BUNDLE_ENTRIES; default 10000).",
        valueName: "n"))
    var maximumBundleEntries: Int?

    @Option(name: .customLong("mllp-max-connections"), help: ArgumentHelp(
        "Most MLLP connections open at once (env CAREBRIDGE_MLLP_MAX_CONNECTIONS; default 256).", valueName: "n"))
    var mllpMaximumConnections: Int?

    /// Sets the limits of `configuration` from these options and the environment.
    func apply(to configuration: inout HubConfiguration, environment: [String: String]) throws {
        let rate = try rateLimit ?? Self.number("CAREBRIDGE_RATE_LIMIT", environment) ?? RateLimit.standard.requestsPerSecond
        guard rate >= 0, rate.isFinite else { throw ValidationError("The rate limit must be 0 (off) or more requests per second") }
        if rate > 0 {
            let burst = try rateBurst ?? Self.integer("CAREBRIDGE_RATE_BURST", environment) ?? max(1, Int(min(rate * 2, 1e9).rounded(.up)))
            guard burst >= 1 else { throw ValidationError("The rate burst must be at least 1 request") }
            configuration.rateLimit = RateLimit(requestsPerSecond: rate, burst: burst)
        } else {
            configuration.rateLimit = nil
        }
        let timeout = try searchTimeout ?? Self.number("CAREBRIDGE_SEARCH_TIMEOUT", environment) ?? 10
        guard timeout >= 0, timeout <= 2_000_000 else {
            throw ValidationError("The search timeout must be 0 (none) to 2000000 seconds")
        }
        configuration.searchTimeout = timeout > 0 ? .milliseconds(max(1, Int((timeout * 1000).rounded()))) : nil
        configuration.limits.maximumPageSize = try Self.positive(
            maximumPageSize, "CAREBRIDGE_MAX_PAGE_SIZE", environment, default: configuration.limits.maximumPageSize
        )
        configuration.limits.maximumBundleEntries = try Self.positive(
            maximumBundleEntries, "CAREBRIDGE_MAX_BUNDLE_ENTRIES", environment, default: configuration.limits.maximumBundleEntries
        )
        configuration.mllpMaximumConnections = try Self.positive(
            mllpMaximumConnections, "CAREBRIDGE_MLLP_MAX_CONNECTIONS", environment, default: configuration.mllpMaximumConnections
        )
    }

    private static func number(_ name: String, _ environment: [String: String]) throws -> Double? {
        guard let text = environment[name], !text.isEmpty else { return nil }
        guard let value = Double(text) else { throw ValidationError("\(name)=\(text) is not a number") }
        return value
    }

    private static func integer(_ name: String, _ environment: [String: String]) throws -> Int? {
        guard let text = environment[name], !text.isEmpty else { return nil }
        guard let value = Int(text) else { throw ValidationError("\(name)=\(text) is not a whole number") }
        return value
    }

    private static func positive(_ flag: Int?, _ name: String, _ environment: [String: String], default value: Int) throws -> Int {
        let chosen = try flag ?? integer(name, environment) ?? value
        guard chosen >= 1 else { throw ValidationError("\(name) must be at least 1") }
        return chosen
    }
}
