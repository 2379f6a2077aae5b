import FHIRCore
import Foundation
import HL7v2
import Mapping
import Testing

/// `samples/hl7v2/NAME.hl7` converts to `samples/expected/NAME.json`, and every resource in it is valid R4.
/// Run with `CAREBRIDGE_UPDATE_GOLDEN=1` to rewrite the expected files after an intended mapping change.
@Suite struct GoldenSampleTests {
    static let sampleNames: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: MappingTestSupport.samplesDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".hl7") }.map { String($0.dropLast(4)) }.sorted()
    }()

    @Test func samplesExistForEveryMessageType() throws {
        let mappings = try MappingTestSupport.mappings.get()
        var covered: Set<String> = []
        for name in Self.sampleNames {
            let url = MappingTestSupport.samplesDirectory.appendingPathComponent(name + ".hl7")
            let message = try HL7Message(parsing: Array(try Data(contentsOf: url)))
            covered.insert("\(message.messageType ?? "")^\(message.triggerEvent ?? "")")
        }
        #expect(Set(mappings.messageTypes).subtracting(covered).isEmpty, "message types without a sample")
    }

    @Test(arguments: sampleNames) func sampleMatchesExpected(_ name: String) throws {
        let mappings = try MappingTestSupport.mappings.get()
        let registry = try MappingTestSupport.registry.get()
        let url = MappingTestSupport.samplesDirectory.appendingPathComponent(name + ".hl7")
        let message = try HL7Message(parsing: Array(try Data(contentsOf: url)))
        let result = try mappings.convert(message, context: MappingTestSupport.context(name))
        #expect(MappingTestSupport.validationErrors(result.bundle, registry: registry) == [])
        let actual = JSONWriter.indented(.object(result.bundle.json)) + "\n"
        let expectedURL = MappingTestSupport.expectedDirectory.appendingPathComponent(name + ".json")
        if ProcessInfo.processInfo.environment["CAREBRIDGE_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: MappingTestSupport.expectedDirectory, withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: expectedURL)
            return
        }
        let expectedBytes = try Data(contentsOf: expectedURL)
        let expected = try JSONParser().parse(Array(expectedBytes))
        #expect(JSONValue.object(result.bundle.json) == expected, "\(name): run with CAREBRIDGE_UPDATE_GOLDEN=1 after an intended change")
    }
}
