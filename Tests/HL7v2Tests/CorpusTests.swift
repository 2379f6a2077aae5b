import Foundation
import Testing
@testable import HL7v2

/// Every file of `../shared/corpus/hl7v2`, fuzzer crashers and `__malformed` files included.
@Suite("HL7v2: shared corpus")
struct CorpusTests {
    /// Files named `__malformed` that are nonetheless well-formed ER7, so this reader accepts them, and why.
    static let acceptedDespiteName: [String: String] = [
        "ORU_R01/pythonhl7__rep_sample_hl7__malformed.hl7":
            "syntactically sound ER7; its fault (PID-1 `Field1` is not an SI number) is a datatype error, which the "
            + "reader leaves to mapping and validation: hapi test messages in the corpus carry PID-1 `f1r1~f1r2~`",
    ]

    @Test("every well-formed file reads and re-encodes byte for byte; every malformed one gives a typed error",
          .enabled(if: SharedCorpus.available, "../shared/corpus/hl7v2 is absent: corpus test skipped"))
    func corpus() throws {
        var read = 0, roundTrips = 0, rejected = 0
        var errorKinds: [String: Int] = [:]
        var failures: [String] = []
        let files = try SharedCorpus.files()
        for (name, bytes) in files {
            let malformed = SharedCorpus.isMalformed(name)
            do {
                let encoded: [UInt8]
                if SharedCorpus.isBatch(name) {
                    encoded = try HL7Encoder().encodeBytes(try HL7Batch(parsing: bytes))
                } else {
                    encoded = try HL7Encoder().encodeBytes(try HL7Message(parsing: bytes))
                }
                read += 1
                if encoded == normalizedSegments(bytes) {
                    roundTrips += 1
                } else if !malformed {
                    failures.append("\(name): re-encoded bytes differ from the input")
                }
                if malformed, Self.acceptedDespiteName[name] == nil {
                    failures.append("\(name): malformed but read without error")
                }
            } catch {
                rejected += 1
                errorKinds["\(error.kind)", default: 0] += 1
                if !malformed { failures.append("\(name): \(error)") }
            }
        }
        print("HL7v2 corpus: \(files.count) files, \(read) read, \(roundTrips) round-trip byte for byte, "
              + "\(rejected) rejected \(errorKinds.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })")
        for failure in failures { print("corpus failure: " + failure) }
        #expect(files.count > 800)
        #expect(failures.isEmpty, "\(failures.count) failures:\n\(failures.prefix(30).joined(separator: "\n"))")
    }

    @Test("every malformed file's error names where it is",
          .enabled(if: SharedCorpus.available, "../shared/corpus/hl7v2 is absent: corpus test skipped"))
    func malformedErrorsArePositioned() throws {
        for (name, bytes) in try SharedCorpus.files() where SharedCorpus.isMalformed(name) {
            guard let error = parseError(bytes, batch: SharedCorpus.isBatch(name)) else { continue }
            if error.kind != .emptyInput {
                #expect(error.segmentIndex != nil, "\(name): \(error)")
            }
            #expect(!error.reason.isEmpty)
        }
    }
}
