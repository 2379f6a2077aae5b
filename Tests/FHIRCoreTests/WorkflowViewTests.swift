import FHIRCore
import Foundation
import Testing

@Suite("Typed workflow views")
struct WorkflowViewTests {
    private func resource(_ text: String) throws -> FHIRResource {
        try FHIRResource(parsing: Array(text.utf8))
    }

    @Test("Appointment status and patient participant")
    func appointment() throws {
        let appointment = try resource("""
            {"resourceType":"Appointment","status":"checked-in","participant":[
              {"actor":{"reference":"Practitioner/p1"},"status":"accepted"},
              {"actor":{"reference":"Patient/42"},"status":"accepted"}]}
            """)
        #expect(appointment.appointmentStatus == .checkedIn)
        #expect(appointment.subjectReference == "Patient/42")
        #expect(appointment.invoiceStatus == nil)
    }

    @Test("Statuses of each workflow type", arguments: [
        ("Invoice", "issued"), ("Slot", "busy-tentative"), ("DiagnosticReport", "final"),
        ("Observation", "amended"), ("Task", "in-progress"), ("Communication", "not-done"),
    ])
    func statuses(type: String, code: String) throws {
        let value = try resource(#"{"resourceType":"\#(type)","status":"\#(code)","subject":{"reference":"Patient/1"}}"#)
        let typed: String? = switch type {
        case "Invoice": value.invoiceStatus?.rawValue
        case "Slot": value.slotStatus?.rawValue
        case "DiagnosticReport", "Observation": value.resultStatus?.rawValue
        case "Task": value.taskStatus?.rawValue
        default: value.communicationStatus?.rawValue
        }
        #expect(typed == code)
        #expect(value.subjectReference == "Patient/1")
    }

    @Test("An unknown code gives no typed status, the raw code stays readable")
    func unknownCode() throws {
        let appointment = try resource(#"{"resourceType":"Appointment","status":"later"}"#)
        #expect(appointment.appointmentStatus == nil)
        #expect(appointment.statusCode == "later")
    }
}

/// The typed status enums must allow exactly the codes of their required value sets in `profiles/`.
@Suite("Workflow statuses match the R4 value sets")
struct WorkflowStatusValueSetTests {
    private static func codes(of valueSet: String) throws -> Set<String> {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("profiles/valuesets.json"))
        let tables = try #require(try JSONParser().parse(Array(data)).objectValue)
        let systems = try #require(tables["http://hl7.org/fhir/ValueSet/\(valueSet)"]?["systems"]?.objectValue)
        return Set(systems.values.flatMap { $0.arrayValue ?? [] }.compactMap(\.stringValue))
    }

    @Test func appointment() throws {
        #expect(Set(AppointmentStatus.allCases.map(\.rawValue)) == (try Self.codes(of: "appointmentstatus")))
    }

    @Test func slot() throws {
        #expect(Set(SlotStatus.allCases.map(\.rawValue)) == (try Self.codes(of: "slotstatus")))
    }

    @Test func invoice() throws {
        #expect(Set(InvoiceStatus.allCases.map(\.rawValue)) == (try Self.codes(of: "invoice-status")))
    }

    @Test func diagnosticReport() throws {
        #expect(Set(ResultStatus.allCases.map(\.rawValue)) == (try Self.codes(of: "diagnostic-report-status")))
    }

    @Test func task() throws {
        #expect(Set(TaskStatus.allCases.map(\.rawValue)) == (try Self.codes(of: "task-status")))
    }

    @Test func communication() throws {
        #expect(Set(EventStatus.allCases.map(\.rawValue)) == (try Self.codes(of: "event-status")))
    }
}
