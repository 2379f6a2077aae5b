import FHIRCore
import Foundation
import HL7v2
import Mapping
import Testing

/// Every ADT, ORU, SIU and DFT message of the shared corpus either converts to a bundle whose resources all
/// validate, or gives a MappingError.
@Suite struct CorpusConversionTests {
    static let folders = ["ADT_A01", "ADT_A03", "ADT_A04", "ADT_A08", "ADT_A28", "ADT_A31", "ADT_A40",
                          "ORU_R01", "ORU", "SIU_S12", "SIU_S13", "SIU_S14", "SIU_S15", "SIU_S26", "DFT_P03"]

    @Test func corpusMessagesConvertOrFailCleanly() throws {
        guard let corpus = MappingTestSupport.corpusDirectory else { return }
        let mappings = try MappingTestSupport.mappings.get()
        let registry = try MappingTestSupport.registry.get()
        var converted = 0, unsupported = 0, invalid = 0, unparsable = 0
        var failures: [String] = []
        var invalidReasons: [String] = []
        for folder in Self.folders {
            let directory = corpus.appendingPathComponent(folder)
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
            for name in names where !name.contains("__malformed") {
                let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(name)))
                guard let message = try? HL7Message(parsing: bytes) else {
                    unparsable += 1
                    continue
                }
                do {
                    let result = try mappings.convert(message, context: MappingTestSupport.context(name))
                    let errors = MappingTestSupport.validationErrors(result.bundle, registry: registry)
                    if errors.isEmpty { converted += 1 } else { failures.append("\(folder)/\(name): \(errors)") }
                } catch {
                    switch error.kind {
                    case .unsupportedMessageType: unsupported += 1
                    default:
                        invalid += 1
                        invalidReasons.append("\(folder)/\(name): \(error)")
                    }
                }
            }
        }
        print("corpus: \(converted) converted, \(invalid) invalid content, \(unsupported) unsupported, \(unparsable) unparsable")
        for reason in invalidReasons { print("  invalid: \(reason)") }
        #expect(failures == [])
        #expect(converted > 200)
    }
}
