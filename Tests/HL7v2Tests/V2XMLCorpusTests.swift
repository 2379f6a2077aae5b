import Foundation
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

/// The corpus's XXE and DTD documents, pointed at a loopback listener: refused or read, never fetched.
@Suite("HL7v2: v2.xml fetches nothing", .enabled(if: SharedV2XMLCorpus.available, "../shared/corpus/v2xml is absent: skipped"))
struct V2XMLFetchTests {
    @Test func externalEntitiesAndDTDsAreNeverFetched() async throws {
        let listener = try await LoopbackListener()
        try await listener.probe()
        #expect(listener.accepted == 1)
        let base = "http://127.0.0.1:\(listener.port)"
        let xxe = String(decoding: try SharedV2XMLCorpus.bytes("hapi__xml-with-xxe__malformed.xml"), as: UTF8.self)
        let dtd = String(decoding: try SharedV2XMLCorpus.bytes("hapi__XMLParserTest_L149.xml"), as: UTF8.self)
        let truncated = String(decoding: try SharedV2XMLCorpus.bytes("hapi__get_ack_id__malformed.xml"), as: UTF8.self)
        let refused = [
            xxe,
            xxe.replacingOccurrences(of: "file:///etc/passwd", with: "\(base)/xxe"),
            xxe.replacingOccurrences(of: "<!ENTITY xxe SYSTEM \"file:///etc/passwd\">",
                                     with: "<!ENTITY % remote SYSTEM \"\(base)/evil.dtd\"> %remote;"),
            truncated.replacingOccurrences(of: "http://localhost/DTDs/Q22Response.dtd", with: "\(base)/Q22Response.dtd"),
        ]
        for document in refused {
            do {
                let message = try HL7XMLReader().read(Array(document.utf8))
                Issue.record("read a document that must be refused: control ID \(message.controlID ?? "")")
            } catch {
                #expect(error.kind == .invalidXML)
            }
        }
        let pointed = dtd.replacingOccurrences(of: "http://142.224.24.144/QueryServices/xmlDtds/Q22Query.dtd",
                                               with: "\(base)/Q22Query.dtd")
        #expect(pointed.contains(base))
        #expect(try HL7XMLReader().read(Array(pointed.utf8)).controlID == "855")
        try await Task.sleep(for: .milliseconds(300))
        #expect(listener.accepted == 1)
        try await listener.close()
    }
}
