import Foundation
import NIOCore

/// One version of a resource as the store holds it.
public struct StoredResource: Sendable {
    public let resourceType: String
    public let id: String
    public let versionId: Int
    /// When this version was written.
    public let lastUpdated: Date
    /// Whether this version is a deletion (no content).
    public let deleted: Bool
    /// The resource JSON as stored, with `meta.versionId` and `meta.lastUpdated` set; empty for deletions.
    public let body: ByteBuffer
    /// The HTTP method that made this version (`POST`, `PUT`, `PATCH`, `DELETE`), known for history entries.
    public let method: String?

    public init(
        resourceType: String, id: String, versionId: Int, lastUpdated: Date, deleted: Bool, body: ByteBuffer,
        method: String? = nil
    ) {
        self.resourceType = resourceType
        self.id = id
        self.versionId = versionId
        self.lastUpdated = lastUpdated
        self.deleted = deleted
        self.body = body
        self.method = method
    }

    /// `Type/id`.
    public var reference: String { "\(resourceType)/\(id)" }
}
