import Foundation
import Testing
import Webhooks

@Suite struct EndpointPolicyTests {
    private func failure(_ policy: EndpointPolicy, _ endpoint: String) -> WebhookError? {
        do {
            _ = try policy.validate(endpoint)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        "https://ehr.example.org/fhir/notify", "http://127.0.0.1:8080/hook", "HTTPS://Lab.Example.org:8443/a?b=c",
        "http://[::1]:9000/hook",
    ])
    func acceptsHttpAndHttpsWithAHost(_ endpoint: String) throws {
        let url = try EndpointPolicy().validate(endpoint)
        #expect(url.absoluteString == endpoint)
    }

    @Test func refusesOtherSchemesCredentialsFragmentsAndMissingHosts() throws {
        let policy = EndpointPolicy()
        let cases: [(String, String)] = [
            ("ftp://files.example.org/in", "must use http or https"),
            ("file:///etc/passwd", "must use http or https"),
            ("ehr.example.org/hook", "must use http or https"),
            ("http:///hook", "has no host"),
            ("https://user:secret@ehr.example.org/hook", "must not carry a user name or password"),
            ("https://token@ehr.example.org/hook", "must not carry a user name or password"),
            ("https://ehr.example.org/hook#part", "must not have a fragment"),
            ("http://exa mple.org/", "is not a valid URL"),
            ("", "must use http or https"),
        ]
        for (endpoint, message) in cases {
            let error = try #require(failure(policy, endpoint), "\(endpoint) was accepted")
            #expect(error.code == .invalidEndpoint, "\(endpoint)")
            #expect(error.message.contains(message), "\(endpoint): \(error.message)")
        }
        let credentials = try #require(failure(policy, "https://user:secret@ehr.example.org/hook"))
        #expect(!credentials.message.contains("secret"))
    }

    @Test func allowListTakesHostsWildcardsAndPorts() throws {
        let entries = ["ehr.example.org", "*.labs.example.net", "pay.example.com:8443"]
        let policy = try EndpointPolicy(allowing: entries + [" "])
        #expect(policy.allowList.map(\.description) == entries)
        for endpoint in [
            "https://ehr.example.org/hook", "http://EHR.example.org:9000/hook", "https://a.labs.example.net/x",
            "https://deep.a.labs.example.net/x", "https://pay.example.com:8443/cb",
        ] {
            #expect(failure(policy, endpoint) == nil, "\(endpoint)")
        }
        for endpoint in [
            "https://labs.example.net/x", "https://evillabs.example.net/x", "https://ehr.example.org.attacker.io/",
            "https://pay.example.com/cb", "https://pay.example.com:443/cb", "http://127.0.0.1/hook",
        ] {
            let error = try #require(failure(policy, endpoint), "\(endpoint) was accepted")
            #expect(error.code == .endpointNotAllowed)
            #expect(error.message.contains("allow-list"))
        }
    }

    @Test func allowListPortsFollowTheSchemeDefault() throws {
        let policy = try EndpointPolicy(allowing: ["*.example.org:443", "[::1]:8080"])
        #expect(failure(policy, "https://hooks.example.org/a") == nil)
        #expect(failure(policy, "http://hooks.example.org/a")?.code == .endpointNotAllowed)
        #expect(failure(policy, "http://[::1]:8080/a") == nil)
        #expect(failure(policy, "http://[::1]:8081/a")?.code == .endpointNotAllowed)
    }

    @Test(arguments: ["*", "*.", "ehr.example.org:0", "ehr.example.org:http", "a.*.example.org", "https://x.org/"])
    func refusesUnreadableAllowListEntries(_ entry: String) {
        #expect(throws: WebhookError.self) { try EndpointPolicy(allowing: [entry]) }
    }
}
