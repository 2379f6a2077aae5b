import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends one signed delivery to a subscriber's endpoint and reports what happened, never throwing.
///
/// Redirects are not followed (a 3xx is a failed attempt; the subscriber should update the endpoint), and the
/// response body is read, up to `maximumResponseBytes`, only to free the connection, then dropped.
public struct WebhookSender: Sendable {
    /// How much of a response body is read before the rest is cut off.
    public static let maximumResponseBytes = 64 * 1024

    /// The client settings deliveries need: redirects off, a bounded connect time, no retrying of a refused
    /// connection inside the client (the retry schedule decides when to try again), and up to
    /// `connectionsPerHost` keep-alive connections to one host, so that many subscriptions of one receiver
    /// (the dispatcher's slots) are not queued behind the client's default of 8.
    public static func clientConfiguration(connectionsPerHost: Int = 8) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(10))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connectionsPerHost
        return configuration
    }

    private let client: HTTPClient

    /// A sender over `client`, which should be made with `clientConfiguration` so redirects are not followed.
    /// The caller owns the client and shuts it down.
    public init(client: HTTPClient) {
        self.client = client
    }

    /// Sends `body` with `headers` to `url` (a POST unless `method` says otherwise; R4 criteria subscriptions
    /// with a payload PUT the resource), giving up after `timeout` (connection, request and response together).
    public func send(
        method: String = "POST", url: URL, headers: [(String, String)], body: [UInt8], timeout: Duration
    ) async -> WebhookAttemptResult {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        request.headers = HTTPHeaders(headers)
        request.body = .bytes(ByteBuffer(bytes: body))
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = NIODeadline.now() + TimeAmount.nanoseconds(Int64(timeout.inSeconds * 1e9))
        do {
            let response = try await client.execute(request, deadline: deadline)
            let retryAfter = response.headers.first(name: "retry-after")
            var remaining = Self.maximumResponseBytes
            for try await chunk in response.body {
                remaining -= chunk.readableBytes
                if remaining <= 0 { break }
            }
            let status = Int(response.status.code)
            let failure = (200..<300).contains(status) ? nil : Self.describe(status: response.status)
            return WebhookAttemptResult(
                statusCode: status, latency: clock.now - start, retryAfter: retryAfter, error: failure)
        } catch {
            return WebhookAttemptResult(
                statusCode: nil, latency: clock.now - start, error: Self.describe(error, timeout: timeout))
        }
    }

    private static func describe(status: HTTPResponseStatus) -> String {
        let reason = status.reasonPhrase.isEmpty ? "" : " \(status.reasonPhrase)"
        return "HTTP \(status.code)\(reason)"
    }

    private static func describe(_ error: any Error, timeout: Duration) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout: return "timeout after \(seconds(timeout))"
            case .connectTimeout: return "connect timeout"
            case .remoteConnectionClosed: return "connection closed by the receiver before a response"
            default: return "HTTP client error: \(error)"
            }
        }
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode)).lowercased()
        }
        return "\(error)"
    }

    private static func seconds(_ duration: Duration) -> String {
        let value = duration.inSeconds
        return value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
