import FHIRCore
import Foundation
import NIOCore

/// Writes a Bundle as JSON bytes, splicing stored resource bodies in as they are (no re-parsing).
struct BundleWriter {
    /// One entry; `resource` is resource JSON as stored.
    struct Entry {
        var fullUrl: String?
        var resource: ByteBuffer?
        var search: JSONObject?
        var request: JSONObject?
        var response: JSONObject?
        /// An outcome for the entry's response (batch errors), written as `response.outcome`.
        var outcome: ByteBuffer?

        /// A searchset entry (`search.mode` `match` or `include`) for a stored resource.
        static func found(_ body: ByteBuffer, reference: String, base: String, mode: String) -> Entry {
            Entry(fullUrl: "\(base)/\(reference)", resource: body, search: JSONObject([("mode", .string(mode))]))
        }

        /// A searchset entry (`search.mode=outcome`) listing the parameters ignored under lenient handling.
        static func ignored(_ reasons: [String]) -> Entry {
            let outcome = OperationOutcome(issues: reasons.map {
                OperationOutcome.Issue(severity: "warning", code: "not-supported", diagnostics: "ignored: \($0)")
            })
            return Entry(
                resource: ByteBuffer(bytes: outcome.resource.bytes), search: JSONObject([("mode", .string("outcome"))]))
        }
    }

    var type: String
    var total: Int?
    var links: [(relation: String, url: String)] = []
    var entries: [Entry] = []

    init(type: String, total: Int? = nil) {
        self.type = type
        self.total = total
    }

    func bytes() -> ByteBuffer {
        var out: [UInt8] = []
        out.reserveCapacity(256 + entries.reduce(0) { $0 + ($1.resource?.readableBytes ?? 0) + 200 })
        var head = JSONObject([
            ("resourceType", .string("Bundle")),
            ("id", .string(FHIRResource.newID())),
            ("meta", .object(JSONObject([("lastUpdated", .string(FHIRInstant.string(from: Date())))]))),
            ("type", .string(type)),
        ])
        if let total { head["total"] = .number(String(total)) }
        if !links.isEmpty {
            head["link"] = .array(links.map { .object(JSONObject([("relation", .string($0.relation)), ("url", .string($0.url))])) })
        }
        JSONWriter.write(.object(head), into: &out)
        guard !entries.isEmpty else { return ByteBuffer(bytes: out) }
        out.removeLast()  // the closing brace: entries follow
        out.append(contentsOf: Array(",\"entry\":[".utf8))
        for (offset, entry) in entries.enumerated() {
            if offset > 0 { out.append(UInt8(ascii: ",")) }
            write(entry, into: &out)
        }
        out.append(contentsOf: Array("]}".utf8))
        return ByteBuffer(bytes: out)
    }

    private func write(_ entry: Entry, into out: inout [UInt8]) {
        var members: [(String, (inout [UInt8]) -> Void)] = []
        if let fullUrl = entry.fullUrl { members.append(("fullUrl", { JSONWriter.write(.string(fullUrl), into: &$0) })) }
        if let resource = entry.resource, resource.readableBytes > 0 {
            members.append(("resource", { $0.append(contentsOf: resource.readableBytesView) }))
        }
        if let search = entry.search { members.append(("search", { JSONWriter.write(.object(search), into: &$0) })) }
        if let request = entry.request { members.append(("request", { JSONWriter.write(.object(request), into: &$0) })) }
        if var response = entry.response {
            if let outcome = entry.outcome {
                members.append(("response", { out in
                    response["outcome"] = nil
                    JSONWriter.write(.object(response), into: &out)
                    out.removeLast()
                    out.append(contentsOf: Array(",\"outcome\":".utf8))
                    out.append(contentsOf: outcome.readableBytesView)
                    out.append(UInt8(ascii: "}"))
                }))
            } else {
                members.append(("response", { JSONWriter.write(.object(response), into: &$0) }))
            }
        }
        out.append(UInt8(ascii: "{"))
        for (offset, (name, writeValue)) in members.enumerated() {
            if offset > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.write(.string(name), into: &out)
            out.append(UInt8(ascii: ":"))
            writeValue(&out)
        }
        out.append(UInt8(ascii: "}"))
    }
}
