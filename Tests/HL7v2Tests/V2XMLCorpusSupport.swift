import Foundation
import NIOCore
import NIOPosix
import Synchronization
@testable import HL7v2

/// The v2.xml part of the shared corpus (`../shared/corpus/v2xml`) and its ER7 part, read at test time.
enum SharedV2XMLCorpus {
    static let root = SharedCorpus.root.deletingLastPathComponent().appendingPathComponent("v2xml")
    static var available: Bool { FileManager.default.fileExists(atPath: root.path) }

    /// Every `.xml` file as (name, bytes), sorted by name.
    static func files() throws -> [(name: String, bytes: [UInt8])] {
        try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".xml") }.sorted()
            .map { ($0, Array(try Data(contentsOf: root.appendingPathComponent($0)))) }
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent(name)))
    }

    static func er7(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: SharedCorpus.root.appendingPathComponent(relativePath)))
    }
}

/// Every field of every segment as repetitions of components of sub-components, unescaped, trailing empties
/// dropped at each level, segments holding no value left out: what both encodings must agree on.
func unescapedFields(_ message: HL7Message) -> [String] {
    var lines: [String] = []
    for segment in message.segments {
        var fields: [String] = []
        for (offset, field) in segment.fields.enumerated() {
            if segment.isHeader && offset < 2 {
                fields.append(field.raw)
                continue
            }
            let repetitions = field.repetitions.map { repetition in
                trimmed(repetition.components.map { trimmed($0.subcomponents).joined(separator: "&") })
                    .joined(separator: "^")
            }
            fields.append(trimmed(repetitions).joined(separator: "~"))
        }
        let values = trimmed(fields)
        guard segment.isHeader || !values.isEmpty else { continue }
        lines.append(([segment.id] + values).map { "[\($0)]" }.joined())
    }
    return lines
}

private func trimmed(_ values: [String]) -> [String] {
    Array(values.reversed().drop(while: \.isEmpty).reversed())
}

/// A TCP listener on 127.0.0.1 that counts the connections it accepts, so a test can show nothing was fetched.
final class LoopbackListener: Sendable {
    private final class Count: Sendable {
        let value = Mutex(0)
    }

    private let count = Count()
    private let channel: any Channel
    let port: Int

    init() async throws {
        let count = self.count
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                count.value.withLock { $0 += 1 }
                return child.close()
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    /// Connections accepted so far.
    var accepted: Int { count.value.withLock { $0 } }

    /// Opens and closes one connection, so a test knows the count works.
    func probe() async throws {
        let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port).get()
        try await client.closeFuture.get()  // the listener closes every connection it accepts
        for _ in 0..<100 where accepted == 0 { try await Task.sleep(for: .milliseconds(20)) }
    }

    func close() async throws { try await channel.close() }
}
