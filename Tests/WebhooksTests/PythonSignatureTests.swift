import Foundation
import Testing
import Webhooks

/// `python3` on the PATH, if there is one.
private let python: URL? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin")
    .split(separator: ":")
    .map { URL(fileURLWithPath: String($0)).appendingPathComponent("python3") }
    .first { FileManager.default.isExecutableFile(atPath: $0.path) }

/// Signatures checked against an independent implementation: Python's `hmac`, `hashlib` and `base64`.
@Suite(.enabled(if: python != nil, "python3 is not installed"))
struct PythonSignatureTests {
    /// Reads the base64 key, id, timestamp and base64 body from argv; prints `v1,<base64 HMAC-SHA256>`.
    private static let script = """
        import base64, hashlib, hmac, sys
        key = base64.b64decode(sys.argv[1])
        content = sys.argv[2].encode() + b"." + sys.argv[3].encode() + b"." + base64.b64decode(sys.argv[4])
        print("v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode())
        """

    private func pythonSignature(id: String, timestamp: String, body: [UInt8], secret: WebhookSecret) throws -> String {
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", Self.script, Data(secret.key).base64EncodedString(), id, timestamp,
                             Data(body).base64EncodedString()]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(arguments: [
        #"{"resourceType":"Bundle","type":"history","entry":[]}"#,
        "",
        "line one\nline two with unicode: Zoë, 東京, and a dot.",
    ])
    func swiftAndPythonAgree(body text: String) throws {
        let secret = WebhookSecret.generate()
        let body = Array(text.utf8)
        let now = Date()
        let expected = try pythonSignature(
            id: "evt_01J9Z3", timestamp: StandardWebhookSignature.timestamp(now), body: body, secret: secret)
        #expect(StandardWebhookSignature.sign(id: "evt_01J9Z3", timestamp: now, body: body, secret: secret) == expected)
    }

    @Test func pythonSignatureOfRandomBytesVerifies() throws {
        var generator = SeededGenerator(seed: 7)
        let body = (0..<4096).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let secret = WebhookSecret.generate()
        let signature = try pythonSignature(id: "evt_2", timestamp: "1700000000", body: body, secret: secret)
        try StandardWebhookSignature.verify(
            id: "evt_2", timestamp: "1700000000", body: body, signatureHeader: signature, secrets: [secret],
            now: Date(timeIntervalSince1970: 1_700_000_010))
    }
}
