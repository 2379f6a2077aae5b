import FHIRCore
import FHIRProfiles
import Foundation
import Testing

@Suite("Official R4 examples")
struct OfficialExampleTests {
    /// Official examples that break the R4 rules the validator enforces, with the reason.
    static let knownInvalid: [String: String] = [:]

    @Test("every official example of a served type validates without errors")
    func officialExamplesValidate() throws {
        guard let directory = TestSupport.examplesDirectory else {
            print("note: ../shared/fhir-r4/examples is absent; skipping the official examples")
            return
        }
        let registry = try TestSupport.registry.get()
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
        var checked = 0
        var failures: [String] = []
        for file in files.sorted() {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            let resource = try FHIRResource(parsing: data)
            guard registry.isServed(resource.resourceType) else { continue }
            checked += 1
            let issues = registry.validate(resource)
            if let reason = Self.knownInvalid[file] {
                #expect(!issues.isEmpty, "\(file) was listed as invalid (\(reason)) but validates")
                continue
            }
            if !issues.isEmpty {
                failures.append("\(file): " + issues.map { "\($0.summary) \($0.diagnostics)" }.joined(separator: "; "))
            }
        }
        #expect(checked > 100)
        #expect(failures.isEmpty, "\(failures.count) examples failed:\n\(failures.joined(separator: "\n"))")
    }
}
