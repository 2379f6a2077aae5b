import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Fetches key sets over HTTP(S) with Foundation's URLSession (the Authorization module has no HTTP client
/// of its own).
public struct URLSessionKeySetFetcher: KeySetFetching {
    /// How long one fetch may take.
    public var timeout: TimeInterval = 10
    /// The largest key set accepted.
    public var maximumSize = 256 * 1024

    public init() {}

    public func keySet(from url: URL) async throws -> Data {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
            throw AuthorizationError(.unreadableKeySet, "\(url) answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        guard data.count <= maximumSize else {
            throw AuthorizationError(.unreadableKeySet, "\(url) sent more than \(maximumSize) bytes")
        }
        return data
    }
}
