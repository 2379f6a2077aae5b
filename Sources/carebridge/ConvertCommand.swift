import ArgumentParser
import FHIRCore
import Foundation
import HL7v2
import Mapping

/// `carebridge convert FILE...`: prints the FHIR transaction Bundle each HL7v2 message maps to, without
/// storing anything (a dry run of the mappings).
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert", abstract: "Print the FHIR transaction Bundle of each HL7v2 message (nothing is stored).")

    @Argument(help: "Files of HL7v2 messages (ER7): single messages or batches.")
    var files: [String]

    @Option(name: .customLong("mappings-dir"), help: "Folder of mapping files (default: $CAREBRIDGE_MAPPINGS_DIR, ./mappings, or next to the binary).")
    var mappings: String?

    @Flag(help: "Indent the JSON.")
    var pretty = false

    func run() throws {
        let directory = mappings.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? MappingSet.locateDefaultDirectory()
        guard let directory else { throw ValidationError("no mappings folder found; pass --mappings-dir DIR") }
        let set = try MappingSet.load(from: directory)
        var failures = 0
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            let batch: HL7Batch
            do {
                batch = try HL7Batch(parsing: Array(data))
            } catch {
                Self.report("\(file): \(error)")
                failures += 1
                continue
            }
            for (index, message) in batch.messages.enumerated() {
                let id = message.controlID ?? "\(file)#\(index + 1)"
                do {
                    let result = try set.convert(message, context: MappingContext(receivedAt: Date(), messageID: id))
                    let value = JSONValue.object(result.bundle.json)
                    print(pretty ? JSONWriter.indented(value) : JSONWriter.string(value))
                } catch {
                    Self.report("\(file): message \(index + 1) (\(id)): \(error)")
                    failures += 1
                }
            }
        }
        if failures > 0 { throw ExitCode(2) }
    }

    static func report(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
