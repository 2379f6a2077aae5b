import CareBridgeServer
import EmbeddedPostgres
import FHIRCore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Store
import Testing

/// Paths of the repository and of the shared FHIR reference data, found from this file.
enum TestPaths {
    /// The repository root (two levels above this file's folder).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The repository's `profiles/` folder.
    static let profilesDirectory = repositoryRoot.appendingPathComponent("profiles", isDirectory: true)

    /// `../shared/fhir-r4/examples`, when present on this machine.
    static var examplesDirectory: URL? {
        let url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/fhir-r4/examples")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }
}

/// The real hub (router, REST handler, store) over a fresh database of the shared test cluster.
struct Hub: Sendable {
    let client: any TestClientProtocol
    /// The hub's own connection pool, for checking what was (not) written.
    let database: PostgresClient

    /// The FHIR base the router test framework's requests resolve to (authority `localhost`).
    static let base = "http://localhost/fhir"

    /// Runs `test` against a new application over a new, migrated database; `configure` may change the
    /// hub's configuration first (limits, base URL). The hub runs in insecure development mode unless
    /// `configure` gives it a security configuration (and clears `insecureDevelopment`).
    static func run<T: Sendable>(
        maximumBodySize: Int = 1 << 20, setup: TestingSetup = .router,
        configure: (inout HubConfiguration) -> Void = { _ in }, _ test: @Sendable (Hub) async throws -> T
    ) async throws -> T {
        let (cluster, name) = try ThrowawayCluster.makeDatabase(prefix: "server")
        let location = DatabaseLocation(socketPath: cluster.socketPath, user: EmbeddedCluster.superuser, database: name)
        var configuration = location.configuration
        configuration.options.maximumConnections = 40
        var logger = Logger(label: "carebridge.test")
        logger.logLevel = .critical
        let postgres = PostgresClient(configuration: configuration, backgroundLogger: logger)
        var hubConfiguration = HubConfiguration(
            httpPort: 0, profilesDirectory: TestPaths.profilesDirectory.path,
            mappingsDirectory: TestPaths.repositoryRoot.appendingPathComponent("mappings").path, maximumBodySize: maximumBodySize,
            insecureDevelopment: true, limits: RestLimits(defaultPageSize: 50, maximumPageSize: 200, maximumBundleEntries: 100)
        )
        configure(&hubConfiguration)
        let app = try buildApplication(
            configuration: hubConfiguration, database: HubDatabase(client: postgres, cluster: nil), logger: logger
        )
        return try await app.test(setup) { client in
            try await test(Hub(client: client, database: postgres))
        }
    }

    /// Sends a request; a body is sent as `application/fhir+json` unless `headers` say otherwise.
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, headers: [String: String] = [:]
    ) async throws -> Reply {
        var fields = HTTPFields()
        if body != nil { fields[.contentType] = "application/fhir+json" }
        for (name, value) in headers {
            guard let field = HTTPField.Name(name) else { continue }
            fields[field] = value
        }
        let response = try await client.executeRequest(
            uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) }
        )
        return Reply(status: Int(response.status.code), headers: response.headers, body: response.body)
    }

    func get(_ uri: String, headers: [String: String] = [:]) async throws -> Reply {
        try await send(.get, uri, headers: headers)
    }

    func post(_ uri: String, _ body: String, headers: [String: String] = [:]) async throws -> Reply {
        try await send(.post, uri, body: body, headers: headers)
    }

    @discardableResult
    func put(_ uri: String, _ body: String, headers: [String: String] = [:]) async throws -> Reply {
        try await send(.put, uri, body: body, headers: headers)
    }

    func delete(_ uri: String, headers: [String: String] = [:]) async throws -> Reply {
        try await send(.delete, uri, headers: headers)
    }

    /// Creates `resource` (JSON text) with POST, expecting 201; returns the assigned id.
    func create(_ resource: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let reply = try await post("/fhir/\(try Reply.type(of: resource))", resource)
        #expect(reply.status == 201, "create answered \(reply.status): \(reply.text)", sourceLocation: sourceLocation)
        return try #require(try reply.json["id"]?.stringValue, sourceLocation: sourceLocation)
    }

    /// A row count from the hub's tables, e.g. `count("resource", type: "Patient")`.
    func count(_ table: String, type: String? = nil) async throws -> Int {
        let query: PostgresQuery = type.map { "SELECT count(*)::int FROM \(unescaped: table) WHERE resource_type = \($0)" }
            ?? "SELECT count(*)::int FROM \(unescaped: table)"
        for try await count in try await database.query(query).decode(Int.self) { return count }
        return 0
    }

    /// Rows of all three resource tables (current, history, search index), to show nothing was half-written.
    func footprint() async throws -> [Int] {
        [try await count("resource"), try await count("resource_history"), try await count("search_token")]
    }

    /// The version ids in the history of `type/id`, oldest first, straight from the database.
    func storedVersions(_ type: String, _ id: String) async throws -> [Int] {
        let rows = try await database.query(
            "SELECT version_id FROM resource_history WHERE resource_type = \(type) AND id = \(id) ORDER BY version_id"
        )
        var versions: [Int] = []
        for try await version in rows.decode(Int.self) { versions.append(version) }
        return versions
    }
}

/// A response as the tests look at it.
struct Reply: Sendable {
    let status: Int
    let headers: HTTPFields
    let body: ByteBuffer

    /// Whether the response has no body.
    var isEmpty: Bool { body.readableBytes == 0 }

    /// The body as text.
    var text: String { String(buffer: body) }

    /// The body parsed losslessly (member order and number text kept).
    var json: JSONValue {
        get throws { try JSONParser().parse(body.readableBytesView) }
    }

    func header(_ name: String) -> String? {
        HTTPField.Name(name).flatMap { headers[$0] }
    }

    /// The version of the `ETag` header (`W/"3"` → 3).
    var etagVersion: Int? {
        guard let etag = header("ETag"), etag.hasPrefix("W/\"") else { return nil }
        return Int(etag.dropFirst(3).dropLast())
    }

    /// The issues of an OperationOutcome body; records a failure when the body is something else.
    func outcomeIssues(sourceLocation: SourceLocation = #_sourceLocation) throws -> [JSONValue] {
        let json = try self.json
        #expect(json["resourceType"]?.stringValue == "OperationOutcome", "not an OperationOutcome: \(text)", sourceLocation: sourceLocation)
        return json["issue"]?.arrayValue ?? []
    }

    /// Expects an error: `status`, an OperationOutcome with an error issue, optionally of `code`.
    func expectError(
        _ status: Int, code: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(self.status == status, "expected \(status), got \(self.status): \(text)", sourceLocation: sourceLocation)
        #expect(header("Content-Type")?.hasPrefix("application/fhir+json") == true, sourceLocation: sourceLocation)
        let issues = try outcomeIssues(sourceLocation: sourceLocation)
        #expect(issues.contains { $0["severity"]?.stringValue == "error" || $0["severity"]?.stringValue == "fatal" },
                "no error issue in \(text)", sourceLocation: sourceLocation)
        if let code {
            #expect(issues.contains { $0["code"]?.stringValue == code }, "no issue with code \(code) in \(text)", sourceLocation: sourceLocation)
        }
    }

    /// The resource type named in JSON text.
    static func type(of resource: String) throws -> String {
        try #require(try JSONParser().parse(resource)["resourceType"]?.stringValue)
    }
}

extension JSONValue {
    /// The value at a dotted path, array elements by index: `entry.0.response.status`.
    subscript(path path: String) -> JSONValue? {
        var value: JSONValue? = self
        for step in path.split(separator: ".") {
            if let index = Int(step) {
                guard let array = value?.arrayValue, array.indices.contains(index) else { return nil }
                value = array[index]
            } else {
                value = value?[String(step)]
            }
        }
        return value
    }

    /// The string at a dotted path.
    func string(_ path: String) -> String? { self[path: path]?.stringValue }

    /// The entries of a Bundle.
    var entries: [JSONValue] { self["entry"]?.arrayValue ?? [] }

    /// The URL of the Bundle link with `relation`.
    func link(_ relation: String) -> String? {
        self["link"]?.arrayValue?.first { $0["relation"]?.stringValue == relation }?["url"]?.stringValue
    }

    /// This object without the members named.
    func removing(_ names: String...) -> JSONValue {
        guard var object = objectValue else { return self }
        for name in names { object[name] = nil }
        return .object(object)
    }
}

/// Small FHIR resources for the tests, as JSON text.
enum Sample {
    static func patient(id: String? = nil, family: String = "Chalmers", identifier: String? = nil) -> String {
        var members = [#""resourceType":"Patient""#]
        if let id { members.append(#""id":"\#(id)""#) }
        if let identifier { members.append(#""identifier":[{"system":"urn:test:mrn","value":"\#(identifier)"}]"#) }
        members.append(#""name":[{"family":"\#(family)","given":["Peter"]}]"#)
        members.append(#""birthDate":"1974-12-25""#)
        return "{" + members.joined(separator: ",") + "}"
    }

    /// The path of a relative `Location` (`http://localhost/fhir/Patient/1/_history/1` → `/fhir/Patient/1/_history/1`).
    static func path(of location: String?) -> String? {
        location.map { $0.replacingOccurrences(of: Hub.base, with: "/fhir") }
    }

    /// The body of a Bundle of `type` with `entries` (each JSON text).
    static func bundle(_ type: String, _ entries: [String]) -> String {
        #"{"resourceType":"Bundle","type":"\#(type)","entry":[\#(entries.joined(separator: ","))]}"#
    }
}
