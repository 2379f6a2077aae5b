import Foundation
import HL7v2

// Parse throughput of `HL7Message(parsing:)` over the shared corpus, single thread:
//
//   HL7v2ParseBenchmark [--corpus DIR] [--seconds N] [--list FILE] [--cases parse,parse+access,encode]
//
// Each case runs over all messages again and again for N seconds of CPU time (default 5) after one warm-up pass,
// and prints MB/s (input bytes, 10^6) and messages/s per CPU second and per wall-clock second. `--list` writes the relative paths of the messages used, one a line,
// so that another parser can be measured on the same set.

var corpusPath = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("shared/corpus/hl7v2").path
var seconds = 5.0
var listPath: String?
var cases: Set<String> = ["parse", "parse+access", "encode"]
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--corpus": corpusPath = arguments.next() ?? corpusPath
    case "--seconds": seconds = arguments.next().flatMap(Double.init) ?? seconds
    case "--list": listPath = arguments.next()
    case "--cases": cases = Set((arguments.next() ?? "").split(separator: ",").map(String.init))
    default:
        FileHandle.standardError.write(Data(
            "usage: HL7v2ParseBenchmark [--corpus DIR] [--seconds N] [--list FILE] [--cases parse,parse+access,encode]\n".utf8))
        exit(2)
    }
}

let corpus = try BenchmarkCorpus(root: URL(fileURLWithPath: corpusPath))
if let listPath {
    try (corpus.names.joined(separator: "\n") + "\n").write(toFile: listPath, atomically: true, encoding: .utf8)
}
print("corpus: \(corpus.messages.count) messages, \(corpus.byteCount) bytes (\(corpusPath)); "
      + "\(corpus.skipped.count) files skipped (not one well-formed message)")

/// CPU time of this thread, in seconds: unlike the wall clock it does not count time spent waiting for a core
/// that other processes hold, so figures taken on a busy machine stay comparable.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// Runs `body` over every message repeatedly for `seconds` of CPU time after one warm-up pass, and prints the
/// rates per CPU second and per wall-clock second.
@MainActor func measure(_ label: String, _ body: (Int) throws -> Int) rethrows {
    guard cases.contains(label) else { return }
    var checksum = 0
    for index in corpus.messages.indices { checksum &+= try body(index) }  // warm-up
    let clock = ContinuousClock()
    let wallStart = clock.now
    let cpuStart = threadCPUSeconds()
    var passes = 0
    var cpu = 0.0
    repeat {
        for index in corpus.messages.indices { checksum &+= try body(index) }
        passes += 1
        cpu = threadCPUSeconds() - cpuStart
    } while cpu < seconds
    let wallDuration = clock.now - wallStart
    let wall = Double(wallDuration.components.seconds) + Double(wallDuration.components.attoseconds) * 1e-18
    let bytes = Double(corpus.byteCount * passes)
    let messages = Double(corpus.messages.count * passes)
    print("swift  \(label.padding(toLength: 13, withPad: " ", startingAt: 0))"
        + String(format: "%9.1f MB/s %10.0f msgs/s   wall clock %8.1f MB/s %10.0f msgs/s   (%d passes, checksum %d)",
                 bytes / cpu / 1e6, messages / cpu, bytes / wall / 1e6, messages / wall, passes, checksum & 0xFFFF))
}

try measure("parse") { index in
    try HL7Message(parsing: corpus.messages[index]).segments.count
}

let paths = ["MSH-9.1", "MSH-10", "PID-3.1", "PID-5.1", "PID-7", "OBX-5"].compactMap { try? HL7Path($0) }
try measure("parse+access") { index in
    let message = try HL7Message(parsing: corpus.messages[index])
    var total = 0
    for path in paths { total &+= message.value(at: path)?.utf8.count ?? 0 }
    return total
}

let parsed = try corpus.messages.map { try HL7Message(parsing: $0) }
let encoder = HL7Encoder()
try measure("encode") { index in
    try encoder.encodeBytes(parsed[index]).count
}
