import FHIRCore
import Foundation
import Testing

/// `../shared/fhir-r4/examples` next to the repository, when present on this machine.
private let examplesDirectory: URL? = {
    let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let url = repository.deletingLastPathComponent().appendingPathComponent("shared/fhir-r4/examples")
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
}()

@Suite("Official R4 examples at the JSON level")
struct OfficialExampleRoundTripTests {
    @Test(
        "every official example parses and is written back to the same tree",
        .enabled(if: examplesDirectory != nil, "../shared/fhir-r4/examples is absent")
    )
    func examplesRoundTrip() throws {
        let directory = try #require(examplesDirectory)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
        #expect(!files.isEmpty)
        var failures: [String] = []
        for file in files.sorted() {
            let original = try Data(contentsOf: directory.appendingPathComponent(file))
            do {
                let tree = try JSONParser().parse(original)
                let written = JSONWriter.bytes(tree)
                let reread = try JSONParser().parse(written)
                if reread != tree { failures.append("\(file): tree changed") }
                if JSONWriter.bytes(reread) != written { failures.append("\(file): second write differs") }
                if !Self.foundationTreesEqual(original, Data(written)) { failures.append("\(file): differs for Foundation") }
                if tree.objectValue.flatMap(FHIRResource.init(json:)) == nil { failures.append("\(file): not a resource") }
            } catch {
                failures.append("\(file): \(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(files.count) failed:\n\(failures.joined(separator: "\n"))")
    }

    /// Whether Foundation's own parser reads both texts as the same tree (an independent second opinion).
    static func foundationTreesEqual(_ first: Data, _ second: Data) -> Bool {
        guard let a = try? JSONSerialization.jsonObject(with: first) as? NSDictionary,
              let b = try? JSONSerialization.jsonObject(with: second) as? NSDictionary
        else { return false }
        return a.isEqual(b)
    }
}
