import Testing
@testable import HL7v2

/// Every file of `../shared/corpus/v2xml`: the well-formed ones read, the `__malformed` ones are refused.
@Suite("HL7v2: v2.xml shared corpus", .enabled(if: SharedV2XMLCorpus.available, "../shared/corpus/v2xml is absent: skipped"))
struct V2XMLCorpusTests {
    @Test func everyFileReadsOrIsRefused() throws {
        let files = try SharedV2XMLCorpus.files()
        #expect(files.count >= 20)
        var read = 0
        for (name, bytes) in files {
            let malformed = name.contains("__malformed")
            do {
                let message = try HL7XMLReader().read(bytes)
                read += 1
                #expect(!malformed, "\(name) is marked malformed but was read")
                #expect(message.messageType?.isEmpty == false, "\(name) has no MSH-9.1")
            } catch {
                #expect(malformed, "\(name) was refused: \(error)")
                print("v2.xml corpus: \(name) refused: \(error)")
            }
        }
        print("v2.xml corpus: \(files.count) files, \(read) read, \(files.count - read) refused")
    }
}
