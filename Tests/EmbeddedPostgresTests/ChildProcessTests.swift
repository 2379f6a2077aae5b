import Foundation
import Testing

@testable import EmbeddedPostgres

/// A program the hub starts (pg_ctl, and the PostgreSQL server it leaves running) gets standard input, output and
/// error and nothing else: SwiftNIO's sockets are not close-on-exec, and a server holding one of them would keep
/// that connection open for its peer after the hub closed it.
@Suite struct ChildProcessTests {
    @Test("descriptors the parent has open, without close-on-exec, are not inherited")
    func onlyStandardDescriptors() throws {
        var descriptors: [Int32] = [-1, -1]
        try #require(pipe(&descriptors) == 0)
        defer { descriptors.forEach { close($0) } }
        let (status, output) = try ChildProcess.run(
            "/bin/sh", ["-c", "ls /proc/$$/fd"], environment: ["PATH": "/usr/bin:/bin"], discardOutput: false)
        #expect(status == 0)
        let open = Set(output.split(whereSeparator: \.isWhitespace).compactMap { Int32($0) })
        #expect(open.isDisjoint(with: descriptors), "the shell had \(open.sorted())")
        #expect(open.isSuperset(of: [0, 1, 2]))
    }
}
