import Foundation
import MLLP
import Testing

/// Interoperability with an MLLP sender nobody here wrote: python-hl7's `mllp_send`, installed (pinned) in the
/// repository's `.venv`, the virtual environment `Tests/Clients/run` and `scripts/hl7v2-golden` use.
@Suite("MLLP: python-hl7 mllp_send as the sender", .timeLimit(.minutes(3)))
struct PythonMLLPSendTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let python3 = ProcessInfo.processInfo.environment["PATH", default: "/usr/bin:/bin"]
        .split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("python3") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    @Test("mllp_send sends three messages and prints the three ACKs, in order",
          .enabled(if: Self.python3 != nil, "python3 is missing: the python-hl7 mllp_send check is skipped"))
    func mllpSend() async throws {
        let python3 = try #require(Self.python3)
        let mllpSend = try await Self.installedMLLPSend(python3: python3)
        let messages = ["ADT^A01", "ORU^R01", "SIU^S12"].enumerated().map { index, type in
            "MSH|^~\\&|PYTHON|LAB|CAREBRIDGE|HUB|20260101120000||\(type)|CTRL\(index)|P|2.5\rPID|1||\(index)^^^LAB^MR\r"
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mllp-send-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("messages.mllp")
        try Data(messages.flatMap { Array($0.utf8).framed }).write(to: input)

        let handler = ControlIDAcknowledger()
        let output = try await ListenerHarness.with(handler: handler) { harness in
            try await Self.run(mllpSend, ["--port", "\(harness.port)", "--file", input.path, "127.0.0.1"], in: folder)
        }
        // mllp_send prints each reply as received (framed), one per line.
        let expected = (0..<3).map { "\u{0B}MSH|^~\\&|CAREBRIDGE|HUB|||||ACK|A\($0)|P|2.5\rMSA|AA|CTRL\($0)\r\u{1C}\r\n" }
        #expect(output == expected.joined())
        #expect(handler.received == messages.map { String($0.dropLast()) })  // mllp_send strips the last CR
    }

    /// `mllp_send` from the repository's `.venv`, creating it and installing python-hl7 when missing.
    static func installedMLLPSend(python3: URL) async throws -> URL {
        let venv = Self.repository.appendingPathComponent(".venv")
        let python = venv.appendingPathComponent("bin/python")
        if !FileManager.default.isExecutableFile(atPath: python.path) {
            _ = try await Self.run(python3, ["-m", "venv", venv.path], in: Self.repository)
        }
        let mllpSend = venv.appendingPathComponent("bin/mllp_send")
        let installed = try? await Self.run(python, ["-c", "import hl7; assert hl7.__version__ == '0.4.5'"], in: Self.repository)
        if installed == nil || !FileManager.default.isExecutableFile(atPath: mllpSend.path) {
            _ = try await Self.run(
                python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "hl7==0.4.5"], in: Self.repository)
        }
        return mllpSend
    }

    struct ProcessFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs a program to completion and returns its standard output; throws when it exits with a failure.
    static func run(_ program: URL, _ arguments: [String], in folder: URL) async throws -> String {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.currentDirectoryURL = folder
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("mllp-\(UUID().uuidString).out")
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("mllp-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outputFile)
            try? FileManager.default.removeItem(at: errorFile)
        }
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let output = String(decoding: (try? Data(contentsOf: outputFile)) ?? Data(), as: UTF8.self)
        guard status == 0 else {
            let errors = String(decoding: (try? Data(contentsOf: errorFile)) ?? Data(), as: UTF8.self)
            throw ProcessFailure(description: "\(program.lastPathComponent) \(arguments) exited with \(status): \(errors)")
        }
        return output
    }
}

/// Answers each message with a minimal original-mode ACK echoing MSH-10 (a stand-in for the ingest layer).
final class ControlIDAcknowledger: MLLPMessageHandler {
    private let log = EchoHandler()

    var received: [String] { self.log.messages.map { String(decoding: $0, as: UTF8.self) } }

    func handle(message: [UInt8], from peer: MLLPPeer) async -> [UInt8] {
        _ = await self.log.handle(message: message, from: peer)
        let header = String(decoding: message, as: UTF8.self).split(separator: "\r").first ?? ""
        let fields = header.split(separator: "|", omittingEmptySubsequences: false)
        let controlID = fields.count > 9 ? String(fields[9]) : ""
        let sequence = controlID.last.map(String.init) ?? ""
        return Array("MSH|^~\\&|CAREBRIDGE|HUB|||||ACK|A\(sequence)|P|2.5\rMSA|AA|\(controlID)\r".utf8)
    }
}
