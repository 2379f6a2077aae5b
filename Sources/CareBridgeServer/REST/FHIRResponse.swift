import FHIRCore
import Foundation
import NIOCore

/// The result of one FHIR interaction, before it is written as HTTP or as a Bundle response entry.
public struct FHIRResponse: Sendable {
    /// What the response carries.
    public enum Body: Sendable {
        case none
        /// JSON bytes ready to send (a stored resource, or a Bundle written directly).
        case json(ByteBuffer)
        case resource(FHIRResource)
        case outcome(OperationOutcome)
    }

    public var status: Int
    public var body: Body
    /// `Type/id/_history/version` of the resource concerned, for `Location`.
    public var location: String?
    public var versionId: Int?
    public var lastModified: Date?

    public init(status: Int, body: Body = .none, location: String? = nil, versionId: Int? = nil, lastModified: Date? = nil) {
        self.status = status
        self.body = body
        self.location = location
        self.versionId = versionId
        self.lastModified = lastModified
    }

    /// `W/"version"`, the weak ETag FHIR uses for versions.
    public var etag: String? { versionId.map { "W/\"\($0)\"" } }

    /// The body as JSON bytes (empty when there is none).
    public var bodyBytes: ByteBuffer {
        switch body {
        case .none: ByteBuffer()
        case .json(let buffer): buffer
        case .resource(let resource): ByteBuffer(bytes: resource.bytes)
        case .outcome(let outcome): ByteBuffer(bytes: outcome.resource.bytes)
        }
    }

    /// An error response.
    public init(_ error: FHIRError) {
        self.init(status: error.status, body: .outcome(error.outcome))
    }

    /// The reason phrase for `status`, as written in Bundle `response.status` (e.g. `201 Created`).
    public var statusLine: String {
        let phrase: String
        switch status {
        case 200: phrase = "OK"
        case 201: phrase = "Created"
        case 204: phrase = "No Content"
        case 304: phrase = "Not Modified"
        case 400: phrase = "Bad Request"
        case 404: phrase = "Not Found"
        case 405: phrase = "Method Not Allowed"
        case 409: phrase = "Conflict"
        case 410: phrase = "Gone"
        case 412: phrase = "Precondition Failed"
        case 422: phrase = "Unprocessable Entity"
        default: phrase = ""
        }
        return phrase.isEmpty ? "\(status)" : "\(status) \(phrase)"
    }
}
