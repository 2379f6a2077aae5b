@testable import CareBridgeServer
import EmbeddedPostgres
import Foundation
import Logging
import PostgresNIO
import Store
import Testing
import Webhooks

/// The gateways file and exact payment amounts; no database needed.
@Suite("Payment configuration and amounts")
struct PaymentConfigurationTests {
    static let whsec = "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()

    static func parse(_ text: String, environment: [String: String] = [:]) throws(HubStartError) -> PaymentGateways {
        try PaymentGateways(parsing: Array(text.utf8), environment: environment)
    }

    @Test("gateways with literal and env: secrets, default tolerance")
    func readsGateways() throws {
        let gateways = try Self.parse(
            #"{"gateways":[{"name":"acme","scheme":"standard-webhooks","secrets":["\#(Self.whsec)","env:ACME_NEXT"]},"#
                + #"{"name":"stripe","scheme":"stripe","secrets":["env:STRIPE_SECRET"],"toleranceSeconds":60}]}"#,
            environment: ["ACME_NEXT": Self.whsec, "STRIPE_SECRET": "whsec_plain"])
        #expect(gateways.names == ["acme", "stripe"])
        #expect(gateways["acme"]?.toleranceSeconds == 300)
        #expect(gateways["acme"]?.keys.count == 2)
        #expect(gateways["stripe"]?.toleranceSeconds == 60)
        #expect(gateways["stripe"]?.keys.first?.key == Array("whsec_plain".utf8))
        #expect(gateways["other"] == nil)
    }

    @Test(
        "bad files are refused with a message that names the problem and never a secret",
        arguments: [
            ("[]", "gateways"),
            (#"{"gateways":[{"name":"a b","scheme":"stripe","secrets":["s"]}]}"#, "gateway name"),
            (#"{"gateways":[{"name":"a","scheme":"hmac","secrets":["s"]}]}"#, "standard-webhooks, stripe"),
            (#"{"gateways":[{"name":"a","scheme":"stripe","secrets":[]}]}"#, "no secrets"),
            (#"{"gateways":[{"name":"a","scheme":"stripe","secrets":["env:NOT_SET"]}]}"#, "NOT_SET, which is not set"),
            (#"{"gateways":[{"name":"a","scheme":"standard-webhooks","secrets":["not base64!"]}]}"#, "whsec_<base64>"),
            (#"{"gateways":[{"name":"a","scheme":"stripe","secrets":["s"],"tolerance":5}]}"#, "unknown member 'tolerance'"),
            (#"{"gateways":[{"name":"a","scheme":"stripe","secrets":["s"],"toleranceSeconds":0}]}"#, "positive"),
            (#"{"gateways":[{"name":"a","scheme":"stripe","secrets":["s"]},{"name":"a","scheme":"stripe","secrets":["t"]}]}"#, "twice"),
        ])
    func refusesBadFiles(text: String, expected: String) throws {
        do {
            _ = try Self.parse(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(!error.description.contains("not base64!"))
        }
    }

    @Test("the hub does not start with an unreadable gateways file")
    func hubRefusesToStart() throws {
        var configuration = HubConfiguration(
            profilesDirectory: TestPaths.profilesDirectory.path,
            mappingsDirectory: TestPaths.repositoryRoot.appendingPathComponent("mappings").path, insecureDevelopment: true)
        configuration.paymentGatewaysFile = "/nonexistent/payment-gateways.json"
        let location = DatabaseLocation(socketPath: "/nonexistent/.s.PGSQL.5432", user: "nobody", database: "none")
        let client = PostgresClient(configuration: location.configuration, backgroundLogger: Logger(label: "test"))
        #expect {
            _ = try buildApplication(configuration: configuration, database: HubDatabase(client: client, cluster: nil), logger: Logger(label: "test"))
        } throws: { error in
            "\(error)".contains("payment gateways file /nonexistent/payment-gateways.json cannot be read")
        }
    }

    @Test("amounts keep their decimals, add exactly and convert from minor units")
    func amounts() throws {
        let a = try #require(PaymentAmount(decimal: "120.00"))
        let b = try #require(PaymentAmount(decimal: "0.1"))
        #expect(a.description == "120.00")
        #expect(a.adding(b)?.description == "120.10")
        #expect(try #require(PaymentAmount(decimal: "0.1")).adding(try #require(PaymentAmount(decimal: "0.2"))) == PaymentAmount(decimal: "0.3"))
        #expect(PaymentAmount(decimal: "120") == a)
        #expect(b < a)
        #expect(a.subtracting(try #require(PaymentAmount(decimal: "120.01"))) == nil)
        #expect(PaymentAmount(minorUnits: 12000, exponent: CurrencyExponent.of("EUR")).description == "120.00")
        #expect(PaymentAmount(minorUnits: 5, exponent: CurrencyExponent.of("EUR")).description == "0.05")
        #expect(PaymentAmount(minorUnits: 5000, exponent: CurrencyExponent.of("JPY")).description == "5000")
        #expect(PaymentAmount(minorUnits: 1234, exponent: CurrencyExponent.of("KWD")).description == "1.234")
        for bad in ["", "-1", "1e2", "1.", ".5", "1,00", "99999999999999999999"] {
            #expect(PaymentAmount(decimal: bad) == nil, "\(bad)")
        }
    }
}
