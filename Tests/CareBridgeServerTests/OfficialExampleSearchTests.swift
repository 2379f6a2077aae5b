import FHIRCore
import Foundation
import Testing

/// The official R4 examples of the served types, loaded into the real hub, then searched with a table of queries
/// whose expected ids were worked out by hand from the example files and https://hl7.org/fhir/R4/search.html.
@Suite("Official R4 examples searched")
struct OfficialExampleSearchTests {
    @Test("a table of searches over the official examples answers exactly the expected ids")
    func table() async throws {
        guard let directory = TestPaths.examplesDirectory else {
            print("note: ../shared/fhir-r4/examples is absent; skipping the official example searches")
            return
        }
        let queries = OfficialExampleQuery.table
        #expect(queries.count >= 60)
        #expect(Set(queries.map(\.type)).count >= 10)
        try await Hub.run(maximumBodySize: 8 << 20) { hub in
            let loaded = try await Self.load(directory, into: hub)
            #expect(loaded > 300, "only \(loaded) examples of served types were loaded")
            for row in queries {
                try await Self.check(row, hub: hub)
            }
        }
    }

    /// Writes every example of a served type to its own id; returns how many were written.
    static func load(_ directory: URL, into hub: Hub) async throws -> Int {
        // AuditEvents are written by the hub's audit trail only; the API refuses them (AccessMatrixTests).
        let served = Set(try NegotiationTests.servedTypes()).subtracting(["AuditEvent"])
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        var loaded = 0
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let json = try JSONParser().parse(text)
            guard let type = json["resourceType"]?.stringValue, served.contains(type),
                  let id = json["id"]?.stringValue
            else { continue }
            let reply = try await hub.put("/fhir/\(type)/\(id)", text)
            #expect(reply.status == 201, "\(file): \(reply.status) \(reply.text.prefix(300))")
            loaded += 1
        }
        return loaded
    }

    /// Runs one row and compares what it answers with what it expects (under `withKnownIssue` when the row says so).
    static func check(_ row: OfficialExampleQuery, hub: Hub) async throws {
        let answer = try await answer(row.query, hub: hub)
        let comparison = { (answer: [String]?) in
            guard let answer else {
                Issue.record("\(row.query) did not answer a searchset", sourceLocation: row.sourceLocation)
                return
            }
            if row.ordered {
                #expect(answer == row.expected, "\(row.query)", sourceLocation: row.sourceLocation)
            } else {
                #expect(answer.sorted() == row.expected.sorted(), "\(row.query)", sourceLocation: row.sourceLocation)
            }
        }
        if let issue = row.knownIssue {
            withKnownIssue(Comment(rawValue: issue)) { comparison(answer) }
        } else {
            comparison(answer)
        }
    }

    /// What `query` answers: matches by id, included resources as `Type/id`; nil when it is not a 200 searchset.
    static func answer(_ query: String, hub: Hub) async throws -> [String]? {
        let paged = query.contains("_count=") ? query : query + (query.contains("?") ? "&" : "?") + "_count=200"
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "+")
        let reply = try await hub.get("/fhir/" + (paged.addingPercentEncoding(withAllowedCharacters: allowed) ?? paged))
        guard reply.status == 200 else { return nil }
        return try reply.json.entries.compactMap { entry -> String? in
            guard let id = entry.string("resource.id") else { return nil }
            switch entry.string("search.mode") {
            case "match": return id
            case "include": return "\(entry.string("resource.resourceType") ?? "?")/\(id)"
            default: return nil
            }
        }
    }
}

/// One row of the table: a search below `/fhir/`, the ids it must answer (included resources as `Type/id`),
/// whether their order matters, and why the hub gets it wrong when it is a known issue.
struct OfficialExampleQuery: Sendable {
    let query: String
    let expected: [String]
    let ordered: Bool
    let knownIssue: String?
    let sourceLocation: SourceLocation

    init(
        _ query: String, _ expected: [String], ordered: Bool = false, knownIssue: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        self.query = query
        self.expected = expected
        self.ordered = ordered
        self.knownIssue = knownIssue
        self.sourceLocation = sourceLocation
    }

    /// The resource type searched (the last path segment before `?`).
    var type: String {
        String(query.prefix { $0 != "?" }.split(separator: "/").last ?? "")
    }
}
