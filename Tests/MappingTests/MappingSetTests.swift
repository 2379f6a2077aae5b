import Foundation
import HL7v2
import Mapping
import Testing

@Suite struct MappingSetTests {
    @Test func unknownTypeIsUnsupported() throws {
        let set = try MappingSet.load(from: URL(fileURLWithPath: "/nonexistent"))
        let message = try HL7Message(parsing: "MSH|^~\\&|A|B|C|D|20260101||ZZZ^Z01|1|P|2.5\r")
        #expect(throws: MappingError.self) {
            try set.convert(message, context: MappingContext(receivedAt: Date(), messageID: "1"))
        }
    }
}
