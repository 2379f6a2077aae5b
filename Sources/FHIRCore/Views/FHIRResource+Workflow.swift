/// Typed views of the few elements that workflows (status-change notifications, availability, billing)
/// act on. Everything else stays in the JSON tree untouched.
extension FHIRResource {
    /// The `status` code, whatever the type.
    public var statusCode: String? { json["status"]?.stringValue }

    /// `Appointment.status`, when this is an Appointment with a known status.
    public var appointmentStatus: AppointmentStatus? { status(ifType: "Appointment") }

    /// `Slot.status`, when this is a Slot with a known status.
    public var slotStatus: SlotStatus? { status(ifType: "Slot") }

    /// `Invoice.status`, when this is an Invoice with a known status.
    public var invoiceStatus: InvoiceStatus? { status(ifType: "Invoice") }

    /// `DiagnosticReport.status` or `Observation.status`.
    public var resultStatus: ResultStatus? {
        guard resourceType == "DiagnosticReport" || resourceType == "Observation" else { return nil }
        return statusCode.flatMap(ResultStatus.init(rawValue:))
    }

    /// `Task.status`, when this is a Task with a known status.
    public var taskStatus: TaskStatus? { status(ifType: "Task") }

    /// `Communication.status`, when this is a Communication with a known status.
    public var communicationStatus: EventStatus? { status(ifType: "Communication") }

    /// The literal reference of `subject` (or Appointment participant patients), e.g. `Patient/123`.
    public var subjectReference: String? {
        if let reference = json["subject"]?["reference"]?.stringValue { return reference }
        if resourceType == "Appointment" {
            return json["participant"]?.arrayValue?
                .compactMap { $0["actor"]?["reference"]?.stringValue }
                .first { $0.hasPrefix("Patient/") }
        }
        return nil
    }

    private func status<Status: RawRepresentable<String>>(ifType type: String) -> Status? {
        guard resourceType == type else { return nil }
        return statusCode.flatMap(Status.init(rawValue:))
    }
}
