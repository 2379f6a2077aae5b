import Foundation
@testable import HL7v2

/// The shared sample corpus beside the repository (`../shared/corpus/hl7v2`), read at test time, never copied.
enum SharedCorpus {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let root = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus/hl7v2")
    static var available: Bool { FileManager.default.fileExists(atPath: root.path) }

    /// Every file of the corpus as (path relative to `hl7v2/`, bytes), sorted by path.
    static func files() throws -> [(name: String, bytes: [UInt8])] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return []
        }
        var found: [(name: String, bytes: [UInt8])] = []
        let prefix = root.standardizedFileURL.path + "/"
        for case let url as URL in walker where try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true {
            let name = String(url.standardizedFileURL.path.dropFirst(prefix.count))
            found.append((name, Array(try Data(contentsOf: url))))
        }
        return found.sorted { $0.name < $1.name }
    }

    /// Files named `__malformed` are deliberately broken; `BATCH/` holds batch files and header-less streams.
    static func isMalformed(_ name: String) -> Bool { name.contains("__malformed") }
    static func isBatch(_ name: String) -> Bool { name.hasPrefix("BATCH/") }
}

/// What a message looks like after the only changes reading and writing make: no UTF-8 BOM, blank lines
/// dropped, every segment ended by CR.
func normalizedSegments(_ bytes: [UInt8]) -> [UInt8] {
    var input = bytes
    if input.starts(with: [0xEF, 0xBB, 0xBF]) { input.removeFirst(3) }
    var output: [UInt8] = []
    for line in input.split(omittingEmptySubsequences: true, whereSeparator: { $0 == 0x0D || $0 == 0x0A })
    where line.contains(where: { $0 != 0x20 && $0 != 0x09 }) {
        output += line
        output.append(0x0D)
    }
    return output
}

/// `text` with `\n` between segments turned into the CR that ER7 wants (test messages are written one segment a line).
func er7(_ text: String) -> [UInt8] {
    Array(text.replacingOccurrences(of: "\n", with: "\r").utf8)
}

/// Reads `text` (segments one a line) as a message, failing the test on error.
func message(_ text: String) throws -> HL7Message {
    try HL7Message(parsing: er7(text))
}

/// The error reading `bytes` gives, or nil when it reads.
func parseError(_ bytes: [UInt8], batch: Bool = false, options: HL7ParseOptions = HL7ParseOptions()) -> HL7ParseError? {
    do {
        if batch { _ = try HL7Batch(parsing: bytes, options: options) } else { _ = try HL7Message(parsing: bytes, options: options) }
        return nil
    } catch {
        return error
    }
}
