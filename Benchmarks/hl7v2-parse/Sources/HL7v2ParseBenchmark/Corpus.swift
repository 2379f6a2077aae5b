import Foundation
import HL7v2

/// The messages a run parses: every file of the corpus folder that is not named `__malformed`, is not a batch
/// (`BATCH/`) and reads as one message, held in memory as bytes.
struct BenchmarkCorpus {
    var names: [String] = []
    var messages: [[UInt8]] = []
    var skipped: [String] = []

    var byteCount: Int { messages.reduce(0) { $0 + $1.count } }

    init(root: URL) throws {
        let prefix = root.standardizedFileURL.path + "/"
        var paths: [String] = []
        if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in walker where try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
                paths.append(String(url.standardizedFileURL.path.dropFirst(prefix.count)))
            }
        }
        for name in paths.sorted() where !name.contains("__malformed") && !name.hasPrefix("BATCH/") {
            let bytes = Array(try Data(contentsOf: root.appendingPathComponent(name)))
            do {
                _ = try HL7Message(parsing: bytes)
                names.append(name)
                messages.append(bytes)
            } catch {
                skipped.append("\(name): \(error)")
            }
        }
    }
}
