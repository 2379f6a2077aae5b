import FHIRCore
import FHIRProfiles
import Foundation

/// Locations of the repository's profile tables and the shared FHIR reference data, found from this file.
enum TestSupport {
    /// The repository root (two levels above this file's folder).
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The repository's `profiles/` folder.
    static let profilesDirectory = repositoryRoot.appendingPathComponent("profiles", isDirectory: true)

    /// `../shared/fhir-r4/examples`, when present on this machine.
    static var examplesDirectory: URL? {
        let url = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/fhir-r4/examples")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// The registry, loaded once for all tests.
    static let registry: Result<ProfileRegistry, any Error> = Result { try ProfileRegistry.load(from: profilesDirectory) }

    /// Parses a resource written as JSON text.
    static func resource(_ text: String) throws -> FHIRResource {
        try FHIRResource(parsing: Array(text.utf8))
    }
}

extension OperationOutcome.Issue {
    /// `code@expression`, the compact form tests compare.
    var summary: String { "\(code)@\(expression.joined(separator: ","))" }
}
