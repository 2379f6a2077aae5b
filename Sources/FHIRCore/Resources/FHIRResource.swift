/// A FHIR resource: its JSON object with accessors for the elements every resource has.
public struct FHIRResource: Sendable, Hashable {
    /// The whole resource, as read (order and number text kept).
    public var json: JSONObject

    /// Wraps `json`; nil when it has no string `resourceType`.
    public init?(json: JSONObject) {
        guard json["resourceType"]?.stringValue != nil else { return nil }
        self.json = json
    }

    /// A resource of `resourceType` with these further members, in order.
    public init(resourceType: String, _ members: [(String, JSONValue)]) {
        json = JSONObject([("resourceType", .string(resourceType))] + members)
    }

    /// Parses resource JSON; throws when it is not JSON, not an object, or has no `resourceType`.
    public init(parsing bytes: some Collection<UInt8>) throws(FHIRCoreError) {
        let value: JSONValue
        do {
            value = try JSONParser().parse(bytes)
        } catch {
            throw FHIRCoreError(.invalidJSON, "The body is not valid JSON: \(error)")
        }
        guard let object = value.objectValue else {
            throw FHIRCoreError(.invalidResource, "A resource must be a JSON object, not \(value.kindName)")
        }
        guard let resource = FHIRResource(json: object) else {
            throw FHIRCoreError(.invalidResource, "The resource has no resourceType", expression: "resourceType")
        }
        self = resource
    }

    /// The `resourceType` element.
    public var resourceType: String { json["resourceType"]?.stringValue ?? "" }

    /// The logical id, kept just after `resourceType`.
    public var id: String? {
        get { json["id"]?.stringValue }
        set {
            if let newValue { json.set("id", .string(newValue), at: 1) } else { json["id"] = nil }
        }
    }

    /// `meta.versionId`.
    public var versionId: String? { json["meta"]?["versionId"]?.stringValue }

    /// `meta.lastUpdated`.
    public var lastUpdated: String? { json["meta"]?["lastUpdated"]?.stringValue }

    /// Sets `meta.versionId` and `meta.lastUpdated`, keeping the rest of `meta` (tags, profiles, security).
    public mutating func stamp(versionId: String, lastUpdated: String) {
        var meta = json["meta"]?.objectValue ?? JSONObject()
        meta.set("versionId", .string(versionId), at: 0)
        meta.set("lastUpdated", .string(lastUpdated), at: 1)
        let position = json["id"] == nil ? 1 : 2
        json.set("meta", .object(meta), at: position)
    }

    /// The resource as compact JSON bytes.
    public var bytes: [UInt8] { JSONWriter.bytes(.object(json)) }

    /// Whether `id` is a valid FHIR id: 1 to 64 of `A-Z a-z 0-9 - .`.
    public static func isValidID(_ id: String) -> Bool {
        guard !id.isEmpty, id.utf8.count <= 64 else { return false }
        return id.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
    }
}
