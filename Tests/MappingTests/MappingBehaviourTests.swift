import FHIRCore
import Foundation
import HL7v2
import Mapping
import Testing

@Suite struct MappingBehaviourTests {
    let header = "MSH|^~\\&|REG|GENERAL_HOSP|CAREBRIDGE|HUB|20260314123000-0500||"

    @Test func everyMessageTypeOfTheIssueIsMapped() throws {
        let mappings = try MappingTestSupport.mappings.get()
        #expect(mappings.messageTypes == [
            "ADT^A01", "ADT^A03", "ADT^A04", "ADT^A08", "ADT^A28", "ADT^A31", "ADT^A40", "DFT^P03", "ORU^R01",
            "SIU^S12", "SIU^S13", "SIU^S14", "SIU^S15", "SIU^S26",
        ])
    }

    @Test func unknownMessageTypeIsUnsupported() throws {
        let mappings = try MappingTestSupport.mappings.get()
        let message = try MappingTestSupport.message(header + "ZZZ^Z99|1|P|2.5\nPID|1||123^^^HOSP^MR")
        let error = try #require(throws: MappingError.self) {
            try mappings.convert(message, context: MappingTestSupport.context("1"))
        }
        #expect(error.kind == .unsupportedMessageType)
        #expect(error.segment == "MSH" && error.field == 9)
    }

    @Test func badDateIsInvalidContentAtItsField() throws {
        let mappings = try MappingTestSupport.mappings.get()
        let message = try MappingTestSupport.message(header + "ADT^A08|2|P|2.5\nPID|1||123^^^HOSP^MR||Doe^Jane||19811345|F")
        let error = try #require(throws: MappingError.self) {
            try mappings.convert(message, context: MappingTestSupport.context("2"))
        }
        #expect(error.kind == .invalidContent)
        #expect(error.segment == "PID" && error.field == 7 && error.occurrence == 1)
    }

    @Test func patientWithoutIdentifierIsInvalidContent() throws {
        let mappings = try MappingTestSupport.mappings.get()
        let message = try MappingTestSupport.message(header + "ADT^A08|3|P|2.5\nPID|1||||Doe^Jane||19810722|F")
        let error = try #require(throws: MappingError.self) {
            try mappings.convert(message, context: MappingTestSupport.context("3"))
        }
        #expect(error.kind == .invalidContent && error.segment == "PID" && error.field == 3)
    }

    @Test func adtUpdatesThePatientByIdentifierAndOthersOnlyCreateIt() throws {
        let mappings = try MappingTestSupport.mappings.get()
        let adt = try MappingTestSupport.message(header + "ADT^A08|4|P|2.5\nPID|1||123^^^HOSP^MR||Doe^Jane")
        let siu = try MappingTestSupport.message(
            header + "SIU^S12|5|P|2.5\nSCH||A-1^HOSP||||||||||^^^202603201000^202603201030\nPID|1||123^^^HOSP^MR||Doe^Jane")
        let adtEntry = try #require(try mappings.convert(adt, context: MappingTestSupport.context("4")).bundle.json["entry"]?.arrayValue?.first)
        #expect(adtEntry["request"]?["method"]?.stringValue == "PUT")
        #expect(adtEntry["request"]?["url"]?.stringValue == "Patient?identifier=urn:carebridge:id:HOSP|123")
        let siuEntry = try #require(try mappings.convert(siu, context: MappingTestSupport.context("5")).bundle.json["entry"]?.arrayValue?.first)
        #expect(siuEntry["request"]?["method"]?.stringValue == "POST")
        #expect(siuEntry["request"]?["ifNoneExist"]?.stringValue == "identifier=urn:carebridge:id:HOSP|123")
    }

    @Test func conversionIsDeterministicPerMessageID() throws {
        let mappings = try MappingTestSupport.mappings.get()
        let url = MappingTestSupport.samplesDirectory.appendingPathComponent("oru_r01.hl7")
        let message = try HL7Message(parsing: Array(try Data(contentsOf: url)))
        let first = try mappings.convert(message, context: MappingTestSupport.context("42"))
        let again = try mappings.convert(message, context: MappingTestSupport.context("42"))
        let other = try mappings.convert(message, context: MappingTestSupport.context("43"))
        #expect(first.bundle == again.bundle)
        #expect(first.bundle != other.bundle)
        let requests = { (bundle: FHIRResource) in (bundle.json["entry"]?.arrayValue ?? []).map { $0["request"] } }
        #expect(requests(first.bundle) == requests(other.bundle))
    }

    @Test func oneResourcePerIdentityEvenWhenNamedTwice() throws {
        let mappings = try MappingTestSupport.mappings.get()
        let url = MappingTestSupport.samplesDirectory.appendingPathComponent("oru_r01.hl7")
        let message = try HL7Message(parsing: Array(try Data(contentsOf: url)))
        let bundle = try mappings.convert(message, context: MappingTestSupport.context("7")).bundle
        let practitioners = MappingTestSupport.resources(bundle, type: "Practitioner")
        #expect(practitioners.count == 1)
        let entries = bundle.json["entry"]?.arrayValue ?? []
        let practitionerURL = entries.first { $0["resource"]?["resourceType"]?.stringValue == "Practitioner" }?["fullUrl"]
        let recipients = MappingTestSupport.resources(bundle, type: "Communication").map { $0["recipient"]?.arrayValue?.first?["reference"] }
        #expect(recipients.count == 2 && recipients.allSatisfy { $0 == practitionerURL })
        let fullUrls = Set(entries.compactMap { $0["fullUrl"]?.stringValue })
        for resource in MappingTestSupport.resources(bundle) {
            for reference in Self.references(in: .object(resource)) { #expect(fullUrls.contains(reference)) }
        }
    }

    @Test func mergeNamesSurvivorAndMergedPatient() throws {
        let mappings = try MappingTestSupport.mappings.get()
        let url = MappingTestSupport.samplesDirectory.appendingPathComponent("adt_a40.hl7")
        let message = try HL7Message(parsing: Array(try Data(contentsOf: url)))
        let result = try mappings.convert(message, context: MappingTestSupport.context("8"))
        let system = "urn:oid:2.16.840.1.113883.3.72.5.9.1"
        #expect(result.merge == PatientMerge(survivor: IdentifierKey(system: system, value: "4471233"),
                                             merged: IdentifierKey(system: system, value: "4479901")))
        let merged = try #require(MappingTestSupport.resources(result.bundle, type: "Patient").last)
        #expect(merged["active"] == .bool(false))
        #expect(merged["link"]?.arrayValue?.first?["type"]?.stringValue == "replaced-by")
    }

    @Test func mappingErrorsNameTheFileAndLine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mapping-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = "messages: [ADT^A08]\nresources:\n  - name: patient\n    type: Patient\n    fields:\n      name[]: {from: PID-5, as: XYZ}\n"
        try Data(text.utf8).write(to: directory.appendingPathComponent("broken.yaml"))
        let error = try #require(throws: MappingError.self) { try MappingSet.load(from: directory) }
        #expect(error.kind == .invalidMapping)
        #expect(error.file == "broken.yaml:6", "\(error)")
        #expect(error.message.contains("XYZ"))
    }

    static func references(in value: JSONValue) -> [String] {
        switch value {
        case .object(let object):
            return object.flatMap { key, member in
                key == "reference" ? [member.stringValue].compactMap { $0 } : references(in: member)
            }
        case .array(let elements): return elements.flatMap(references(in:))
        default: return []
        }
    }
}

@Suite struct MappingGroupTests {
    @Test func resultsOfSeveralPatientsGoToTheirOwnPatient() throws {
        let mappings = try MappingTestSupport.mappings.get()
        let message = try MappingTestSupport.message("""
            MSH|^~\\&|LAB|HOSP|HUB|HUB|20260314123000||ORU^R01|9|P|2.5
            PID|1||111^^^HOSP^MR||First^Patient
            OBR|1||F-1|GLU^Glucose^L
            OBX|1|NM|GLU^Glucose^L||5.5|mmol/L
            PID|2||222^^^HOSP^MR||Second^Patient
            OBR|1||F-2|GLU^Glucose^L
            OBX|1|NM|GLU^Glucose^L||7.1|mmol/L
            """)
        let bundle = try mappings.convert(message, context: MappingTestSupport.context("9")).bundle
        let entries = bundle.json["entry"]?.arrayValue ?? []
        func fullUrl(ofPatient value: String) -> String? {
            entries.first {
                $0["resource"]?["resourceType"]?.stringValue == "Patient"
                    && $0["resource"]?["identifier"]?.arrayValue?.first?["value"]?.stringValue == value
            }?["fullUrl"]?.stringValue
        }
        let subjects = MappingTestSupport.resources(bundle, type: "Observation").map { $0["subject"]?["reference"]?.stringValue }
        #expect(subjects == [fullUrl(ofPatient: "111"), fullUrl(ofPatient: "222")])
        let reports = MappingTestSupport.resources(bundle, type: "DiagnosticReport")
        #expect(reports.map { $0["result"]?.arrayValue?.count } == [1, 1])
    }

    @Test func resultsWithoutOrderNumbersArePlainCreates() throws {
        let mappings = try MappingTestSupport.mappings.get()
        let message = try MappingTestSupport.message("""
            MSH|^~\\&|LAB|HOSP|HUB|HUB|20260314123000||ORU^R01|10|P|2.5
            PID|1||111^^^HOSP^MR||First^Patient
            OBR|1|||GLU^Glucose^L
            OBX|1|NM|GLU^Glucose^L||5.5|mmol/L
            """)
        let bundle = try mappings.convert(message, context: MappingTestSupport.context("10")).bundle
        let entries = bundle.json["entry"]?.arrayValue ?? []
        let observation = try #require(entries.first { $0["resource"]?["resourceType"]?.stringValue == "Observation" })
        #expect(observation["resource"]?["identifier"] == nil)
        #expect(observation["request"]?["method"]?.stringValue == "POST")
        #expect(observation["request"]?["ifNoneExist"] == nil)
    }

    @Test func templatesAndOverridesLoad() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mapping-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = """
            templates:
              person: {type: Patient, request: update, fields: {"identifier[]": {from: PID-3, as: CX}, active: true}}
            messages: [ADT^A08]
            resources:
              - {name: patient, use: person, request: create, fields: {active: false, gender: {from: PID-8, map: {F: female}}}}
            """
        try Data(text.utf8).write(to: directory.appendingPathComponent("one.yaml"))
        let set = try MappingSet.load(from: directory)
        let message = try MappingTestSupport.message("MSH|^~\\&|A|B|C|D|20260101||ADT^A08|1|P|2.5\nPID|1||7^^^X||Doe||19700101|F")
        let entry = try #require(try set.convert(message, context: MappingTestSupport.context("1")).bundle.json["entry"]?.arrayValue?.first)
        #expect(entry["request"]?["ifNoneExist"]?.stringValue == "identifier=urn:carebridge:id:X|7")
        #expect(entry["resource"]?["active"] == .bool(false))
        #expect(entry["resource"]?["gender"]?.stringValue == "female")
    }

    @Test func duplicateMessageTypesAreRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mapping-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = "messages: [ADT^A08]\nresources:\n  - {name: p, type: Patient, fields: {active: true}}\n"
        try Data(text.utf8).write(to: directory.appendingPathComponent("a.yaml"))
        try Data(text.utf8).write(to: directory.appendingPathComponent("b.yaml"))
        let error = try #require(throws: MappingError.self) { try MappingSet.load(from: directory) }
        #expect(error.message.contains("a.yaml"))
        #expect(error.file?.hasPrefix("b.yaml") == true)
    }
}
