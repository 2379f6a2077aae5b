import FHIRCore
import Foundation
import HL7v2

/// The loaded mappings (`mappings/*.yaml` and `mappings/codes/*.yaml`): an immutable value, so reloading is
/// loading a new one and swapping it in.
public struct MappingSet: Sendable {
    let messages: [String: MessageMapping]
    let terminology: Terminology

    /// The message types and triggers this set converts, sorted (`ADT^A01`, `ADT^A03`, ...).
    public var messageTypes: [String] { messages.keys.sorted() }

    /// The environment variable that names the mappings folder explicitly.
    public static let directoryEnvironmentVariable = "CAREBRIDGE_MAPPINGS_DIR"

    /// Loads every `*.yaml` of `directory` and of its `codes/` subfolder.
    /// - Throws: `MappingError` of kind `invalidMapping` naming the file and line (`adt.yaml:12`) that is wrong.
    public static func load(from directory: URL) throws(MappingError) -> MappingSet {
        var loader = MappingLoader()
        try loader.load(directory)
        return MappingSet(messages: loader.messages, terminology: loader.terminology)
    }

    /// Finds the mappings folder: `$CAREBRIDGE_MAPPINGS_DIR`, else `./mappings`, else a `mappings/` folder next
    /// to the executable or in one of its parent folders (so `swift run` finds the repository's). Nil when none
    /// holds a `*.yaml` file.
    public static func locateDefaultDirectory() -> URL? {
        let fileManager = FileManager.default
        func holdsMappings(_ url: URL) -> Bool {
            let names = (try? fileManager.contentsOfDirectory(atPath: url.path)) ?? []
            return names.contains { $0.hasSuffix(".yaml") }
        }
        if let explicit = ProcessInfo.processInfo.environment[directoryEnvironmentVariable], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit, isDirectory: true)
        }
        let current = URL(fileURLWithPath: fileManager.currentDirectoryPath, isDirectory: true)
            .appendingPathComponent("mappings", isDirectory: true)
        if holdsMappings(current) { return current }
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments.first ?? ".")
        var folder = executable.resolvingSymlinksInPath().deletingLastPathComponent()
        while true {
            let candidate = folder.appendingPathComponent("mappings", isDirectory: true)
            if holdsMappings(candidate) { return candidate }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path || folder.path == "/" { return nil }
            folder = parent
        }
    }

    /// Converts one message into a FHIR transaction Bundle.
    /// - Throws: `unsupportedMessageType` when no mapping handles MSH-9 (acknowledge `AR`), `invalidContent`
    ///   with the segment and field when the content cannot be mapped (acknowledge `AE`).
    public func convert(_ message: HL7Message, context: MappingContext) throws(MappingError) -> MappingResult {
        let type = "\(message.messageType ?? "")^\(message.triggerEvent ?? "")"
        guard let mapping = messages[type] else {
            throw MappingError(.unsupportedMessageType, "no mapping for message type \(type)", segment: "MSH",
                               occurrence: 1, field: 9)
        }
        var conversion = MessageConversion(mapping: mapping, message: message, terminology: terminology, context: context)
        let instances = try conversion.run()
        let (bundle, keys) = TransactionBuilder.bundle(instances)
        var merge: PatientMerge?
        if let names = mapping.merge {
            guard let survivor = keys[names.survivor], let merged = keys[names.merged] else {
                throw MappingError(.invalidContent, "a merge needs the identifiers of both patients (PID-3 and MRG-1)",
                                   segment: "MRG", occurrence: 1, field: 1)
            }
            merge = PatientMerge(survivor: survivor, merged: merged)
        }
        return MappingResult(bundle: bundle, messageType: type, merge: merge)
    }
}
