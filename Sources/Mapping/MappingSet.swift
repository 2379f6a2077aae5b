import FHIRCore
import Foundation
import HL7v2

/// The loaded mappings (`mappings/*.yaml` and `mappings/codes/*.yaml`): an immutable value, so reloading is
/// building a new one and swapping it in.
public struct MappingSet: Sendable {
    /// The message mappings by message type and trigger (`ADT^A01`).
    let messages: [String: MessageMapping]
    /// The code tables by name (`0001`).
    let tables: [String: CodeTable]

    /// The message types and triggers this set converts, sorted (`ADT^A01`, `ADT^A03`, ...).
    public var messageTypes: [String] { messages.keys.sorted() }

    /// The environment variable that names the mappings folder explicitly.
    public static let directoryEnvironmentVariable = "CAREBRIDGE_MAPPINGS_DIR"
}

/// One code table (`mappings/codes/0001.yaml`): v2 code -> FHIR code in a FHIR system.
struct CodeTable: Sendable, Hashable {
    var name: String
    var system: String?
    var codes: [String: String]
}

/// The mapping of one message type (stub; filled by the loader).
struct MessageMapping: Sendable {
    var messageType: String
}

extension MappingSet {
    /// Loads every `*.yaml` of `directory` and of its `codes/` subfolder.
    /// - Throws: `MappingError` of kind `invalidMapping` naming the file and the line or key that is wrong.
    public static func load(from directory: URL) throws(MappingError) -> MappingSet {
        MappingSet(messages: [:], tables: [:])
    }

    /// Finds the mappings folder: `$CAREBRIDGE_MAPPINGS_DIR`, else `./mappings`, else a `mappings/` folder next
    /// to the executable or one of its parent folders. Nil when none exists.
    public static func locateDefaultDirectory() -> URL? {
        nil
    }

    /// Converts one message into a FHIR transaction Bundle.
    /// - Throws: `unsupportedMessageType` when no mapping handles MSH-9, `invalidContent` when the content
    ///   cannot be mapped.
    public func convert(_ message: HL7Message, context: MappingContext) throws(MappingError) -> MappingResult {
        let type = "\(message.messageType ?? "")^\(message.triggerEvent ?? "")"
        throw MappingError(.unsupportedMessageType, "No mapping for message type \(type)", segment: "MSH", field: 9)
    }
}
