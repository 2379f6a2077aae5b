import FHIRCore
import NIOCore
import Store

extension ResourceStore {
    /// Writes `status` (and `error`, removed when nil) on Subscription `id`, as a new version; with `expected`, only
    /// if its status is still that one (another hub process may have changed it first). Nothing happens when the
    /// Subscription does not exist.
    public func setSubscriptionStatus(_ id: String, _ status: String, error: String?, expected: String? = nil) async throws {
        try await withTransaction { session in
            guard let stored = try await session.read("Subscription", id), !stored.deleted else { return }
            var resource = try FHIRResource(parsing: stored.body.readableBytesView)
            if let expected, resource.json["status"]?.stringValue != expected { return }
            resource.json["status"] = .string(status)
            resource.json["error"] = error.map { .string($0) }
            _ = try await session.update(resource, id: id, ifMatch: stored.versionId)
        }
    }
}
