import FHIRCore
import FHIRProfiles
import Foundation
import HL7v2
import Mapping

/// Locations of the repository's mappings, samples and profiles, found from this file, and helpers shared by
/// the mapping tests.
enum MappingTestSupport {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let mappingsDirectory = repositoryRoot.appendingPathComponent("mappings", isDirectory: true)
    static let samplesDirectory = repositoryRoot.appendingPathComponent("samples/hl7v2", isDirectory: true)
    static let expectedDirectory = repositoryRoot.appendingPathComponent("samples/expected", isDirectory: true)
    static let profilesDirectory = repositoryRoot.appendingPathComponent("profiles", isDirectory: true)
    /// `../shared/corpus/hl7v2`, when present on this machine.
    static var corpusDirectory: URL? {
        let url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus/hl7v2")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    static let mappings: Result<MappingSet, MappingError> = Result { () throws(MappingError) in
        try MappingSet.load(from: mappingsDirectory)
    }
    static let registry: Result<ProfileRegistry, any Error> = Result { try ProfileRegistry.load(from: profilesDirectory) }

    /// A fixed context, so that golden files do not change between runs.
    static func context(_ id: String) -> MappingContext {
        MappingContext(receivedAt: Date(timeIntervalSince1970: 1_773_489_600), messageID: id)
    }

    static func message(_ text: String) throws -> HL7Message {
        try HL7Message(parsing: text.replacingOccurrences(of: "\n", with: "\r"))
    }

    /// Every validation error of every entry resource, as `Type: code@expression diagnostics`.
    static func validationErrors(_ bundle: FHIRResource, registry: ProfileRegistry) -> [String] {
        var errors: [String] = []
        for entry in bundle.json["entry"]?.arrayValue ?? [] {
            guard let object = entry["resource"]?.objectValue, let resource = FHIRResource(json: object) else {
                errors.append("an entry has no resource")
                continue
            }
            for issue in registry.validate(resource) where issue.severity == "error" || issue.severity == "fatal" {
                errors.append("\(resource.resourceType): \(issue.code)@\(issue.expression.joined(separator: ",")) \(issue.diagnostics)")
            }
        }
        return errors
    }

    /// The resources of a bundle's entries.
    static func resources(_ bundle: FHIRResource, type: String? = nil) -> [JSONObject] {
        (bundle.json["entry"]?.arrayValue ?? []).compactMap { $0["resource"]?.objectValue }
            .filter { type == nil || $0["resourceType"]?.stringValue == type }
    }
}
