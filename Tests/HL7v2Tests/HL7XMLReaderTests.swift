import SafeXML
import Testing
@testable import HL7v2

/// Reads `xml` as v2.xml, failing the test on error.
func xmlMessage(_ xml: String) throws -> HL7Message {
    try HL7XMLReader().read(Array(xml.utf8))
}

/// The error reading `xml` as v2.xml gives, or nil when it reads.
func xmlError(_ xml: String) -> HL7ParseError? {
    do {
        _ = try HL7XMLReader().read(Array(xml.utf8))
        return nil
    } catch {
        return error
    }
}

@Suite("HL7v2: v2.xml reader")
struct HL7XMLReaderTests {
    static let header = """
        <MSH><MSH.1>|</MSH.1><MSH.2>^~\\&amp;</MSH.2><MSH.3><HD.1>LAB</HD.1></MSH.3>
        <MSH.9><MSG.1>ORU</MSG.1><MSG.2>R01</MSG.2><MSG.3>ORU_R01</MSG.3></MSH.9><MSH.10>CTRL-1</MSH.10>
        <MSH.11><PT.1>P</PT.1></MSH.11><MSH.12><VID.1>2.5.1</VID.1></MSH.12></MSH>
        """

    @Test func groupsAreFlattenedAndFieldsComponentsSubcomponentsRepetitionsRead() throws {
        let message = try xmlMessage("""
            <?xml version="1.0" encoding="UTF-8"?>
            <ORU_R01 xmlns="urn:hl7-org:v2xml">
              \(Self.header)
              <ORU_R01.PATIENT_RESULT>
                <ORU_R01.PATIENT>
                  <PID>
                    <PID.1>1</PID.1>
                    <PID.3><CX.1>123</CX.1><CX.4><HD.1>HOSP</HD.1><HD.2>1.2.3</HD.2><HD.3>ISO</HD.3></CX.4><CX.5>MR</CX.5></PID.3>
                    <PID.3><CX.1>456</CX.1><CX.5>SS</CX.5></PID.3>
                    <PID.5><XPN.1><FN.1>Doe</FN.1></XPN.1><XPN.2>John</XPN.2></PID.5>
                    <PID.8>M</PID.8>
                  </PID>
                </ORU_R01.PATIENT>
                <ORU_R01.ORDER_OBSERVATION>
                  <OBR><OBR.1>1</OBR.1></OBR>
                  <ORU_R01.OBSERVATION><OBX><OBX.1>1</OBX.1><OBX.5>5.4</OBX.5></OBX></ORU_R01.OBSERVATION>
                  <ORU_R01.OBSERVATION><OBX><OBX.1>2</OBX.1><OBX.5>7</OBX.5></OBX></ORU_R01.OBSERVATION>
                </ORU_R01.ORDER_OBSERVATION>
              </ORU_R01.PATIENT_RESULT>
            </ORU_R01>
            """)
        #expect(message.segments.map(\.id) == ["MSH", "PID", "OBR", "OBX", "OBX"])
        #expect(message.messageType == "ORU")
        #expect(message.triggerEvent == "R01")
        #expect(message.controlID == "CTRL-1")
        #expect(message.version == "2.5.1")
        #expect(message["MSH-3"] == "LAB")
        #expect(message.values("PID-3.1") == ["123", "456"])
        #expect(message["PID-3.4.2"] == "1.2.3")
        #expect(message["PID-3(2).5"] == "SS")
        #expect(message["PID-5.1"] == "Doe")
        #expect(message["PID-5.2"] == "John")
        #expect(message.values("OBX-5") == ["5.4", "7"])
        #expect(HL7Encoder().encode(message).split(separator: "\r")[1] == "PID|1||123^^^HOSP&1.2.3&ISO^MR~456^^^^SS||Doe^John|||M")
    }

    @Test func delimiterCharactersInValuesAreEscapedAndReadBack() throws {
        let message = try xmlMessage("""
            <ORU_R01 xmlns="urn:hl7-org:v2xml">\(Self.header)
            <NTE><NTE.3>a|b^c~d\\e&amp;f</NTE.3><NTE.4>line one<escape V=".br"/>line two</NTE.4>
            <NTE.5>x<escape V="F"/>y</NTE.5><NTE.6>""</NTE.6><NTE.7>caf\u{E9}</NTE.7></NTE>
            </ORU_R01>
            """)
        #expect(message["NTE-3"] == "a|b^c~d\\e&f")
        #expect(message["NTE-4"] == "line one\nline two")
        #expect(message["NTE-5"] == "x|y")
        #expect(message.segment("NTE")?.field(6)?.isNull == true)
        #expect(message["NTE-7"] == "café")
        #expect(HL7Encoder().encode(message).contains("NTE|||a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f|line one\\.br\\line two|x\\F\\y"))
    }

    @Test func declaredDelimitersArePreserved() throws {
        let message = try xmlMessage("""
            <QBP_Q22><MSH><MSH.1>|</MSH.1><MSH.2>^~/&amp;</MSH.2><MSH.9><MSG.1>QBP</MSG.1><MSG.2>Q22</MSG.2></MSH.9>
            <MSH.10>855</MSH.10><MSH.12>2.4</MSH.12></MSH>
            <QPD><QPD.3><QIP><QIP.1>@PID.3.1</QIP.1><QIP.2>95</QIP.2></QIP><QIP><QIP.1>@PID.8</QIP.1><QIP.2>M</QIP.2></QIP></QPD.3>
            <QPD.12>R&amp;H/Med</QPD.12></QPD></QBP_Q22>
            """)
        #expect(message.encoding.escape == "/")
        #expect(message.values("QPD-3.1") == ["@PID.3.1", "@PID.8"])
        #expect(message.values("QPD-3.2") == ["95", "M"])
        #expect(message["QPD-12"] == "R&H/Med")
    }

    @Test func prefixedNamespaceAndNoNamespaceAreRead() throws {
        let prefixed = try xmlMessage("""
            <v2:ADT_A01 xmlns:v2="urn:hl7-org:v2xml"><v2:MSH><v2:MSH.1>|</v2:MSH.1><v2:MSH.2>^~\\&amp;</v2:MSH.2>
            <v2:MSH.9><v2:MSG.1>ADT</v2:MSG.1><v2:MSG.2>A01</v2:MSG.2></v2:MSH.9><v2:MSH.10>9</v2:MSH.10></v2:MSH></v2:ADT_A01>
            """)
        #expect(prefixed.triggerEvent == "A01")
        #expect(prefixed.controlID == "9")
    }

    @Test func segmentAndFieldAreNamedInStructureErrors() {
        let wrongField = xmlError("<ORU_R01>\(Self.header)<PID><PID.1>1</PID.1><OBX.5>x</OBX.5></PID></ORU_R01>")
        #expect(wrongField?.kind == .invalidXMLStructure)
        #expect(wrongField?.segmentIndex == 2)
        #expect(wrongField?.segmentID == "PID")
        let tooDeep = xmlError("<ORU_R01>\(Self.header)<PID><PID.5><XPN.1><FN.1><X.1>a</X.1></FN.1></XPN.1></PID.5></PID></ORU_R01>")
        #expect(tooDeep?.kind == .invalidXMLStructure)
        #expect(tooDeep?.field == 5)
        let mixed = xmlError("<ORU_R01>\(Self.header)<PID><PID.5>text<XPN.1>a</XPN.1></PID.5></PID></ORU_R01>")
        #expect(mixed?.kind == .invalidXMLStructure)
        let twice = xmlError("<ORU_R01>\(Self.header)<PID><PID.5><XPN.1>a</XPN.1><XPN.1>b</XPN.1></PID.5></PID></ORU_R01>")
        #expect(twice?.kind == .invalidXMLStructure)
        let badEscape = xmlError("<ORU_R01>\(Self.header)<NTE><NTE.3><escape V=\"a|b\"/></NTE.3></NTE></ORU_R01>")
        #expect(badEscape?.kind == .invalidXMLStructure)
        let textBetween = xmlError("<ORU_R01>\(Self.header) stray <PID/></ORU_R01>")
        #expect(textBetween?.kind == .invalidXMLStructure)
        let otherNamespace = xmlError("<ORU_R01 xmlns=\"urn:hl7-org:v3\">\(Self.header)</ORU_R01>")
        #expect(otherNamespace?.kind == .invalidXMLStructure)
    }

    @Test func rootAndGroupsAreNamedAfterTheStructure() throws {
        #expect(xmlError("<ConformanceMessage>\(Self.header)</ConformanceMessage>")?.kind == .invalidXMLStructure)
        #expect(xmlError("<ORU_R01>\(Self.header)<ADT_A01.PROCEDURE><PR1/></ADT_A01.PROCEDURE></ORU_R01>")?.kind
            == .invalidXMLStructure)
        #expect(xmlError("<ORU_R01>\(Self.header)<ORU_R01.><PR1/></ORU_R01.></ORU_R01>")?.kind == .invalidXMLStructure)
        #expect(try xmlMessage("<ACK>\(Self.header)</ACK>").messageType == "ORU")
    }

    @Test func v2XMLIsRecognised() throws {
        let parser = HL7XMLReader().xmlParser
        #expect(HL7XMLReader.isV2XML(try parser.parse("<ORU_R01 xmlns=\"urn:hl7-org:v2xml\"/>")))
        #expect(HL7XMLReader.isV2XML(try parser.parse("<ACK>\(Self.header)</ACK>")))
        #expect(!HL7XMLReader.isV2XML(try parser.parse("<ClinicalDocument xmlns=\"urn:hl7-org:v3\"/>")))
        #expect(!HL7XMLReader.isV2XML(try parser.parse("<results><MSH/></results>")))
    }

    @Test func unnumberedElementsInASegmentAreSkipped() throws {
        let message = try xmlMessage("<ACK>\(Self.header)<MSA><MSA.XXXXXXXX>AA</MSA.XXXXXXXX><MSA.2>100</MSA.2></MSA></ACK>")
        #expect(message["MSA-1"] == nil)
        #expect(message["MSA-2"] == "100")
        #expect(xmlError("<ACK>\(Self.header)<MSA><MSA.0>AA</MSA.0></MSA></ACK>")?.kind == .invalidXMLStructure)
    }

    @Test func messageLevelProblemsAreTheER7Ones() {
        #expect(xmlError("<ORU_R01><PID><PID.1>1</PID.1></PID></ORU_R01>")?.kind == .missingHeader)
        #expect(xmlError("<ORU_R01><ORU_R01.X/></ORU_R01>")?.kind == .emptyInput)
        #expect(xmlError("<ACK><MSH><MSH.1>|</MSH.1><MSH.2>^~\\&amp;</MSH.2></MSH></ACK>")?.kind == .missingRequiredField)
        #expect(xmlError("<ACK><MSH><MSH.1>||</MSH.1></MSH></ACK>")?.kind == .invalidFieldSeparator)
        #expect(xmlError("<ACK><MSH><MSH.2>^^</MSH.2></MSH></ACK>")?.kind == .invalidEncodingCharacters)
    }

    @Test func unsafeOrBrokenXMLIsInvalidXML() {
        let xxe = """
            <?xml version="1.0"?><!DOCTYPE ACK [<!ENTITY x SYSTEM "file:///etc/passwd">]>
            <ACK><MSH><MSH.9><MSG.1>ACK</MSG.1></MSH.9><MSH.10>&x;</MSH.10></MSH></ACK>
            """
        let error = xmlError(xxe)
        #expect(error?.kind == .invalidXML)
        #expect(error?.reason.contains("doctypeForbidden at line 1") == true)
        #expect(xmlError("<ACK><MSH></ACK>")?.kind == .invalidXML)
        #expect(xmlError("<ACK><MSH><MSH.10>&x;</MSH.10></MSH></ACK>")?.kind == .invalidXML)
    }

    @Test func limitsApply() {
        var options = HL7ParseOptions()
        options.maxFieldsPerSegment = 20
        let reader = HL7XMLReader(options: options)
        #expect(throws: HL7ParseError.self) {
            try reader.read(Array("<ACK>\(Self.header)<NTE><NTE.21>x</NTE.21></NTE></ACK>".utf8))
        }
        options = HL7ParseOptions()
        options.maxRepetitionsPerField = 2
        let repeated = "<ACK>\(Self.header)<NTE>" + String(repeating: "<NTE.3>r</NTE.3>", count: 3) + "</NTE></ACK>"
        #expect(throws: HL7ParseError.self) { try HL7XMLReader(options: options).read(Array(repeated.utf8)) }
    }
}
