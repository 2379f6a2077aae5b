import Foundation

/// Which subscriber endpoint URLs the hub accepts: http or https with a host, no credentials, no fragment,
/// and, when an allow-list is configured (production), a host on that list.
public struct EndpointPolicy: Sendable, Hashable {
    /// One allow-list entry: a host or `*.domain` wildcard, optionally with a port.
    public struct AllowedHost: Sendable, Hashable, CustomStringConvertible {
        /// The host in lower case, or the domain after `*.` for a wildcard.
        public let host: String
        /// Whether any subdomain of `host` matches (and `host` itself does not).
        public let isWildcard: Bool
        /// The only port accepted, or `nil` for any.
        public let port: Int?

        /// Reads `hooks.example.org`, `*.example.org`, `hooks.example.org:8443` or `[::1]:8080`.
        public init(parsing entry: String) throws(WebhookError) {
            let text = entry.trimmingCharacters(in: .whitespaces).lowercased()
            let (name, portText) = Self.split(text)
            var port: Int?
            if let portText {
                guard let number = Int(portText), (1...65535).contains(number) else {
                    throw WebhookError(.invalidEndpoint, "allow-list entry '\(entry)' has an invalid port")
                }
                port = number
            }
            isWildcard = name.hasPrefix("*.")
            host = String(isWildcard ? name.dropFirst(2) : name)
            self.port = port
            guard !host.isEmpty, !host.contains("*"), !host.contains("/") else {
                throw WebhookError(
                    .invalidEndpoint,
                    "allow-list entry '\(entry)' must be a host or *.domain, optionally with :port, "
                        + "as in *.example.org:443")
            }
        }

        public var description: String {
            let name = isWildcard ? "*." + host : (host.contains(":") ? "[\(host)]" : host)
            return port.map { "\(name):\($0)" } ?? name
        }

        /// Host and port of `[v6]:port`, `name:port` or a bare name (a bare IPv6 address has no port).
        private static func split(_ text: String) -> (Substring, Substring?) {
            if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
                let rest = text[text.index(after: close)...]
                let port = rest.hasPrefix(":") ? rest.dropFirst() : rest
                return (text[text.index(after: text.startIndex)..<close], rest.isEmpty ? nil : port)
            }
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            return parts.count == 2 ? (parts[0], parts[1]) : (Substring(text), nil)
        }

        func matches(host candidate: String, port candidatePort: Int) -> Bool {
            if let port, port != candidatePort { return false }
            return isWildcard ? candidate.hasSuffix("." + host) : candidate == host
        }
    }

    /// The hosts endpoints may point at; empty accepts any host.
    public let allowList: [AllowedHost]

    /// A policy with this allow-list; no entries means any host is accepted.
    public init(allowList: [AllowedHost] = []) {
        self.allowList = allowList
    }

    /// A policy from allow-list entries as written in a setting (`*.example.org,lab.example.net:8443`).
    public init(allowing entries: [String]) throws(WebhookError) {
        var allowList: [AllowedHost] = []
        for entry in entries where !entry.trimmingCharacters(in: .whitespaces).isEmpty {
            allowList.append(try AllowedHost(parsing: entry))
        }
        self.allowList = allowList
    }

    /// The endpoint as a URL, or an error saying what is wrong with it in words a FHIR client can act on.
    public func validate(_ endpoint: String) throws(WebhookError) -> URL {
        guard let components = URLComponents(string: endpoint), let url = components.url else {
            throw WebhookError(.invalidEndpoint, "endpoint '\(endpoint)' is not a valid URL")
        }
        let scheme = components.scheme?.lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw WebhookError(.invalidEndpoint, "endpoint '\(endpoint)' must use http or https")
        }
        guard let host = components.host?.lowercased(), !host.isEmpty else {
            throw WebhookError(.invalidEndpoint, "endpoint '\(endpoint)' has no host")
        }
        guard components.user == nil, components.password == nil else {
            throw WebhookError(
                .invalidEndpoint,
                "endpoint must not carry a user name or password; send credentials in a channel header instead")
        }
        guard components.fragment == nil else {
            throw WebhookError(.invalidEndpoint, "endpoint '\(endpoint)' must not have a fragment (#...)")
        }
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard allowList.isEmpty || allowList.contains(where: { $0.matches(host: bareHost, port: port) }) else {
            throw WebhookError(
                .endpointNotAllowed,
                "endpoint host '\(bareHost)' is not on this server's webhook allow-list ("
                    + allowList.map(\.description).joined(separator: ", ") + ")")
        }
        return url
    }
}
