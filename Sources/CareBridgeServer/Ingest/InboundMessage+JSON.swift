import FHIRCore
import Foundation
import Store

extension InboundMessage {
    /// The log entry as JSON for the inbound-log API (`raw` as text when it was read with its bytes).
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .number(String(id))), ("source", .string(source)), ("status", .string(status.rawValue)),
            ("messageType", .string(header.messageType)), ("controlId", .string(header.controlID)),
            ("sendingApplication", .string(header.sendingApplication)), ("sendingFacility", .string(header.sendingFacility)),
            ("receivedAt", .string(FHIRInstant.string(from: receivedAt))), ("attempts", .number(String(attempts))),
            ("resources", .array(resources.map { .string($0) })),
        ]
        if let peer { members.append(("peer", .string(peer))) }
        if let error { members.append(("error", .string(error))) }
        if let duplicateOf { members.append(("duplicateOf", .number(String(duplicateOf)))) }
        if let processedAt { members.append(("processedAt", .string(FHIRInstant.string(from: processedAt)))) }
        if !raw.isEmpty {
            let text = String(validating: raw, as: UTF8.self) ?? String(raw.map { Character(Unicode.Scalar($0)) })
            members.append(("raw", .string(text)))
        }
        return .object(JSONObject(members))
    }
}

extension IngestOutcome {
    /// The outcome as JSON (replay results).
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("status", .string(status.rawValue)), ("acknowledgement", .string(String(decoding: acknowledgementBytes, as: UTF8.self))),
            ("resources", .array(resources.map { .string($0) })),
        ]
        if let logID { members.insert(("id", .number(String(logID))), at: 0) }
        if let error { members.append(("error", .string(error))) }
        return .object(JSONObject(members))
    }
}
