import Foundation
import Testing
@testable import HL7v2

/// v2.xml messages and their ER7 twins give the same values, segment by segment and field by field (unescaped).
@Suite("HL7v2: v2.xml and ER7 twins", .enabled(if: SharedV2XMLCorpus.available, "../shared/corpus/v2xml is absent: skipped"))
struct V2XMLTwinTests {
    /// ER7 written by hand from reading each XML file (no ER7 twin of these is in the corpus).
    static let handWritten: [(xml: String, er7: String)] = [
        ("hapi__OMD_O03.xml", """
            MSH|^~\\&|TestSendingSystem||||200701011539||OMD^O03^OMD_O03|||2.5|123
            PID|||1^^^hellin^PI||Doe^John
            ODS|S|^breakfast|^320\\S\\1/2 HAM SANDWICH\\S\\99FD8
            """),
        ("hapi__parse_and_encode_with_ns.xml", """
            MSH|^~\\&|LABMI1||DMCRES||19951010134000||ORU^R01|LABMI1199510101340007|D|2.2|||AL
            """),
        ("hapi__extracmp_xml.xml", """
            MSH|^~\\&|^OLIS^X500^HD.4^HD.5||^2.16.840.1.113883.3.59.3:0947^ISO||20130819093140-0400||ERP^Z99^ERP_R09|\
            a9aa9d25-d4c0-4e1d-8e4f-b79d16ef5179|T|2.3.1||||||8859/1
            """),
        ("hapi__XMLParserTest_L149.xml", """
            MSH|^~/&|UHN Vista^^ISO|UHN^^ISO|MPI^^ISO|HealthLink^^ISO|20020429132718.734-0400||QBP^Q22^QBP_Q21|855|P|2.4\
            |||||||||Q22
            QPD|Q22^Find Candidates^HL7nnnn||@PID.3.1^9583518684~@PID.3.4.1^CANON~@PID.5.1.1^ECG-Acharya~@PID.5.2^Nf~\
            @PID.5.7^L~@PID.7^197104010000~@PID.8^M|100||||^^^TTH|13831|ULTIuser2|234564|R/T/H Med
            RCP|I|100^RD|R
            """),
        ("hapi__Hl7V2MessageXmlTest_L72.xml", """
            MSH|^~\\&|ULTRA|TML|OLIS|OLIS|200905011130||ORU^R01|20169838|T|2.3
            ZPI|||7005728^^^TML^MR||TEST^RACHEL^DIAMOND||19310313|F|||200 ANYWHERE ST^^TORONTO^ON^M6G 2T9||(416)888-8888\
            ||||||1014071185^KR
            PID|||7005728^^^TML^MR||TEST^RACHEL^DIAMOND||19310313|F|||200 ANYWHERE ST^^TORONTO^ON^M6G 2T9||(416)888-8888\
            ||||||1014071185
            PV1|1||OLIS||||OLIST^BLAKE^DONALD^THOR^^^^^921379^^^^OLIST
            ORC|RE||T09-100442-RET-0^^OLIS_Site_ID^ISO|||||||||OLIST^BLAKE^DONALD^THOR^^^^L^921379
            OBR|0||T09-100442-RET-0^^OLIS_Site_ID^ISO|RET^RETICULOCYTE COUNT^HL79901 literal|||200905011106|||||||\
            200905011106||OLIST^BLAKE^DONALD^THOR^^^^L^921379||7870279|7870279|T09-100442|MOHLTC|200905011130||B7|F||\
            1^^^200905011106^^R
            OBX|1|IS|Z114099^Erc^L||ABC||||||F|||200905011111|PMH
            OBX|1|IS|Z909090^Erc^L~Z919191^Erc^L||ABC||||||F|||200905011111|PMH
            """),
    ]

    /// Twins found in the corpus: the same message in `hl7v2/` (the XML also writes empty MSA and ERR segments).
    static let corpusTwins: [(xml: String, er7: String)] = [
        ("hapi__ResponderTest_L120.xml", "ACK/hapi__ResponderTest_L108.hl7"),
    ]

    @Test(arguments: handWritten.map(\.xml))
    func handWrittenTwinsAgree(_ name: String) throws {
        let text = try #require(Self.handWritten.first { $0.xml == name }).er7
        let fromER7 = try HL7Message(parsing: Array(text.replacingOccurrences(of: "\n", with: "\r").utf8))
        let fromXML = try HL7XMLReader().read(try SharedV2XMLCorpus.bytes(name))
        #expect(unescapedFields(fromXML) == unescapedFields(fromER7))
        #expect(fromXML.segments.map(\.id) == fromER7.segments.map(\.id))
    }

    @Test(arguments: corpusTwins.map(\.xml))
    func corpusTwinsAgree(_ name: String) throws {
        let path = try #require(Self.corpusTwins.first { $0.xml == name }).er7
        let fromER7 = try HL7Message(parsing: try SharedV2XMLCorpus.er7(path))
        let fromXML = try HL7XMLReader().read(try SharedV2XMLCorpus.bytes(name))
        #expect(unescapedFields(fromXML) == unescapedFields(fromER7))
    }

    @Test func valuesNeedingEscapesReadTheSameInBothEncodings() throws {
        let fromXML = try HL7XMLReader().read(try SharedV2XMLCorpus.bytes("hapi__OMD_O03.xml"))
        #expect(fromXML["ODS-3.2"] == "320^1/2 HAM SANDWICH^99FD8")
        let query = try HL7XMLReader().read(try SharedV2XMLCorpus.bytes("hapi__XMLParserTest_L149.xml"))
        #expect(query["QPD-12"] == "R&H Med")
        #expect(query.values("QPD-3.2").count == 7)
    }
}
