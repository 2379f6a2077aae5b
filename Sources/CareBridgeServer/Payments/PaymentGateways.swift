import FHIRCore
import Foundation

/// The payment gateways the hub accepts notifications from, read from the `--payment-gateways` JSON file:
///
/// ```json
/// {"gateways": [
///   {"name": "acme-pay", "scheme": "standard-webhooks", "secrets": ["whsec_...", "env:ACME_PAY_SECRET"]},
///   {"name": "stripe", "scheme": "stripe", "secrets": ["env:STRIPE_WEBHOOK_SECRET"], "toleranceSeconds": 300}
/// ]}
/// ```
public struct PaymentGateways: Sendable {
    private let byName: [String: PaymentGateway]

    /// No gateways: every notification is answered 404.
    public static let none = PaymentGateways(gateways: [])

    /// The gateway called `name`, if configured.
    public subscript(name: String) -> PaymentGateway? { byName[name] }

    /// The configured names, sorted.
    public var names: [String] { byName.keys.sorted() }

    /// These gateways; names must be distinct.
    public init(gateways: [PaymentGateway]) {
        byName = Dictionary(gateways.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Reads the gateways file at `path`, resolving `env:NAME` secrets from `environment`.
    public init(contentsOf path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(HubStartError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw HubStartError("The payment gateways file \(path) cannot be read: \(error.localizedDescription)")
        }
        do {
            try self.init(parsing: Array(data), environment: environment)
        } catch {
            throw HubStartError("The payment gateways file \(path) is not usable: \(error.description)")
        }
    }

    /// Reads gateways file text (see the type's description).
    public init(parsing bytes: [UInt8], environment: [String: String]) throws(HubStartError) {
        let json: JSONValue
        do {
            json = try JSONParser().parse(bytes)
        } catch {
            throw HubStartError("it is not JSON (\(error))")
        }
        guard let object = json.objectValue, let list = object["gateways"]?.arrayValue else {
            throw HubStartError(#"it must be an object with a "gateways" array"#)
        }
        try Self.rejectUnknown(object, allowed: ["gateways"], in: "the file")
        var gateways: [PaymentGateway] = []
        for (index, entry) in list.enumerated() {
            let gateway = try Self.gateway(entry, index: index, environment: environment)
            guard !gateways.contains(where: { $0.name == gateway.name }) else {
                throw HubStartError("gateway '\(gateway.name)' is listed twice")
            }
            gateways.append(gateway)
        }
        self.init(gateways: gateways)
    }

    private static func gateway(_ entry: JSONValue, index: Int, environment: [String: String]) throws(HubStartError) -> PaymentGateway {
        let place = "gateway \(index + 1)"
        guard let object = entry.objectValue else { throw HubStartError("\(place) is not an object") }
        try rejectUnknown(object, allowed: ["name", "scheme", "secrets", "toleranceSeconds"], in: place)
        guard let name = object["name"]?.stringValue else { throw HubStartError(#"\#(place) has no "name""#) }
        let schemes = PaymentGateway.Scheme.allCases.map(\.rawValue).joined(separator: ", ")
        guard let schemeText = object["scheme"]?.stringValue, let scheme = PaymentGateway.Scheme(rawValue: schemeText) else {
            throw HubStartError(#"gateway '\#(name)' needs a "scheme": one of \#(schemes)"#)
        }
        guard let secretValues = object["secrets"]?.arrayValue else {
            throw HubStartError(#"gateway '\#(name)' needs "secrets": a list of secrets or "env:VARIABLE" names"#)
        }
        var secrets: [String] = []
        for value in secretValues {
            guard let secret = value.stringValue else { throw HubStartError("gateway '\(name)': every secret is a string") }
            secrets.append(secret)
        }
        var tolerance = PaymentGateway.defaultToleranceSeconds
        if let value = object["toleranceSeconds"] {
            guard let text = value.numberText, let seconds = Int(text) else {
                throw HubStartError("gateway '\(name)': toleranceSeconds must be a whole number of seconds")
            }
            tolerance = seconds
        }
        return try PaymentGateway(name: name, scheme: scheme, secrets: secrets, toleranceSeconds: tolerance, environment: environment)
    }

    /// Refuses members other than `allowed`, so that a misspelt setting is not silently ignored.
    private static func rejectUnknown(_ object: JSONObject, allowed: Set<String>, in place: String) throws(HubStartError) {
        if let unknown = object.keys.first(where: { !allowed.contains($0) }) {
            throw HubStartError("\(place) has an unknown member '\(unknown)' (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }
}
