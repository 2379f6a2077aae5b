import FHIRCore
import Foundation
import Testing

/// Every official R4 example of a served type goes in and comes back out unchanged but for `id` and `meta`.
@Suite("Official R4 examples round-trip")
struct OfficialExampleTests {
    @Test("each example of a served type is stored and read back with the same JSON tree")
    func roundTrip() async throws {
        guard let directory = TestPaths.examplesDirectory else {
            print("note: ../shared/fhir-r4/examples is absent; skipping the official example round-trip")
            return
        }
        // AuditEvents are written by the hub's audit trail only; the API refuses them (AccessMatrixTests).
        let served = Set(try NegotiationTests.servedTypes()).subtracting(["AuditEvent"])
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }.sorted()
        let (checked, failures) = try await Hub.run(maximumBodySize: 8 << 20) { hub in
            var checked = 0
            var failures: [String] = []
            for file in files {
                let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                let original = try JSONParser().parse(text)
                guard let type = original["resourceType"]?.stringValue, served.contains(type) else { continue }
                checked += 1
                if let failure = try await Self.roundTrip(text, original, type: type, hub: hub) {
                    failures.append("\(file): \(failure)")
                }
            }
            return (checked, failures)
        }
        #expect(checked > 100, "only \(checked) examples of served types were found")
        #expect(failures.isEmpty, "\(failures.count) of \(checked) examples failed:\n\(failures.joined(separator: "\n"))")
    }

    /// Stores one example (PUT to its id, or POST when it has none) and compares what is read back;
    /// returns why it failed, or nil.
    static func roundTrip(_ text: String, _ original: JSONValue, type: String, hub: Hub) async throws -> String? {
        let written: Reply
        if let id = original["id"]?.stringValue {
            written = try await hub.put("/fhir/\(type)/\(id)", text)
        } else {
            written = try await hub.post("/fhir/\(type)", text)
        }
        guard written.status == 201 || written.status == 200 else {
            return "write answered \(written.status): \(written.text.prefix(600))"
        }
        guard let location = Sample.path(of: written.header("Location")),
              let range = location.range(of: "/_history/")
        else {
            return "no Location header"
        }
        let read = try await hub.get(String(location[..<range.lowerBound]))
        guard read.status == 200 else { return "read answered \(read.status)" }
        let stored = try read.json
        if let difference = difference(original.removing("id", "meta"), stored.removing("id", "meta"), at: type) {
            return difference
        }
        // `meta` keeps what the example put there (profiles, tags, security); only versionId/lastUpdated are the server's.
        let originalMeta = original["meta"]?.removing("versionId", "lastUpdated") ?? .object(JSONObject())
        let storedMeta = stored["meta"]?.removing("versionId", "lastUpdated") ?? .object(JSONObject())
        return difference(originalMeta, storedMeta, at: "\(type).meta")
    }

    /// Where two JSON trees first differ (values, number text, member order), or nil when they are equal.
    static func difference(_ expected: JSONValue, _ actual: JSONValue, at path: String) -> String? {
        switch (expected, actual) {
        case (.object(let left), .object(let right)):
            if left.keys != right.keys { return "\(path): members \(left.keys) became \(right.keys)" }
            for (key, value) in left {
                if let found = difference(value, right[key] ?? .null, at: "\(path).\(key)") { return found }
            }
            return nil
        case (.array(let left), .array(let right)):
            if left.count != right.count { return "\(path): \(left.count) elements became \(right.count)" }
            for (index, (l, r)) in zip(left, right).enumerated() {
                if let found = difference(l, r, at: "\(path)[\(index)]") { return found }
            }
            return nil
        default:
            guard expected != actual else { return nil }
            return "\(path): \(JSONWriter.string(expected).prefix(120)) became \(JSONWriter.string(actual).prefix(120))"
        }
    }
}
