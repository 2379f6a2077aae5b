// Sends HL7v2 messages to a hub's MLLP listener over several connections, each waiting for the ACK before
// sending the next (as interface engines do), and prints messages/s and ACK latency percentiles.
//
//   MLLPLoad PORT TEMPLATE CONNECTIONS MESSAGES_PER_CONNECTION RUN_TAG [PATIENTS]
//
// TEMPLATE is a sample message (samples/hl7v2/adt_a08.hl7 or oru_r01.hl7); each message gets a unique control
// id and order numbers, and a patient identifier from a pool of PATIENTS (default 2000), so later messages update
// patients the earlier ones created. With CHANGE_PATIENT=1 in the environment each message also carries a
// home phone number of its own, so every update changes the Patient (and its search index rows); without it an
// ADT^A08 for a patient already stored changes nothing, and the hub keeps the current version.
//
// The messages are made before the clock starts, and each ACK is checked by reading its MSA segment only, so
// that the load generator, which shares the machine's cores with the hub and PostgreSQL, spends as little CPU as
// it can inside the measured time.
import Foundation
import MLLP

let arguments = CommandLine.arguments
guard arguments.count >= 6, let port = Int(arguments[1]), let connections = Int(arguments[3]),
      let perConnection = Int(arguments[4]), let template = FileManager.default.contents(atPath: arguments[2])
else {
    print("usage: MLLPLoad PORT TEMPLATE CONNECTIONS MESSAGES_PER_CONNECTION RUN_TAG [PATIENTS]")
    exit(2)
}
let tag = arguments[5]
let patients = arguments.count > 6 ? Int(arguments[6]) ?? 2000 : 2000
let changesPatient = ProcessInfo.processInfo.environment["CHANGE_PATIENT"] == "1"
let text = String(decoding: template, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\r")
    .replacingOccurrences(of: "\n", with: "\r")

/// The template with its control id, order numbers, patient and visit made unique for message `number`.
func message(_ number: Int, connection: Int) -> String {
    let unique = "\(tag)-\(connection)-\(number)"
    let patient = (connection * perConnection + number) % patients
    return text
        .replacingOccurrences(of: "ADT000142", with: "C" + unique)
        .replacingOccurrences(of: "LAB-2026-0315-0091", with: "C" + unique)
        .replacingOccurrences(of: "LAB-90017731", with: "F1" + unique)
        .replacingOccurrences(of: "LAB-90017732", with: "F2" + unique)
        .replacingOccurrences(of: "ORD-448812", with: "P1" + unique)
        .replacingOccurrences(of: "ORD-448813", with: "P2" + unique)
        .replacingOccurrences(of: "4471233", with: "BENCH\(patient)")
        .replacingOccurrences(of: "7734512", with: "V\(patient)")
        .replacingOccurrences(of: "5550987", with: changesPatient ? String(1_000_000 + (connection * perConnection + number) % 9_000_000) : "5550987")
}

/// Whether an ACK's MSA-1 is `AA` (the hub's ACKs use the standard field separator).
func accepted(_ reply: [UInt8]) -> Bool {
    let msa = Array("\rMSA|AA|".utf8)
    return reply.indices.contains { start in reply[start...].starts(with: msa) }
}

let bodies = (0..<connections).map { connection in
    (0..<perConnection).map { number in Array(message(number, connection: connection).utf8) }
}
let started = ContinuousClock.now
let results = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
    for connection in 0..<connections {
        group.addTask {
            let client = try await MLLPClient.connect(host: "127.0.0.1", port: port)
            var latencies: [Double] = []
            latencies.reserveCapacity(perConnection)
            var refused = 0
            for body in bodies[connection] {
                let sent = ContinuousClock.now
                let reply = try await client.send(body)
                let elapsed = ContinuousClock.now - sent
                latencies.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
                if !accepted(reply) {
                    refused += 1
                    if refused == 1 { print("not AA: \(String(decoding: reply, as: UTF8.self).replacingOccurrences(of: "\r", with: " | "))") }
                }
            }
            try await client.close()
            return (latencies, refused)
        }
    }
    var all: ([Double], Int) = ([], 0)
    for try await (latencies, refused) in group {
        all.0 += latencies
        all.1 += refused
    }
    return all
}
let elapsed = ContinuousClock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let sorted = results.0.sorted()
func percentile(_ p: Double) -> Double {
    sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}
print(String(format: "%d messages over %d connections in %.1f s: %.0f messages/s; ACK latency ms p50 %.1f p95 %.1f p99 %.1f; not AA: %d",
             sorted.count, connections, seconds, Double(sorted.count) / seconds, percentile(0.50), percentile(0.95),
             percentile(0.99), results.1))
