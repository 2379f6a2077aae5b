/// `Appointment.status` (required binding `appointmentstatus`).
public enum AppointmentStatus: String, Sendable, Hashable, CaseIterable {
    case proposed, pending, booked, arrived, fulfilled, cancelled, noshow
    case enteredInError = "entered-in-error"
    case checkedIn = "checked-in"
    case waitlist
}

/// `Slot.status` (required binding `slotstatus`).
public enum SlotStatus: String, Sendable, Hashable, CaseIterable {
    case busy, free
    case busyUnavailable = "busy-unavailable"
    case busyTentative = "busy-tentative"
    case enteredInError = "entered-in-error"
}

/// `Invoice.status` (required binding `invoice-status`).
public enum InvoiceStatus: String, Sendable, Hashable, CaseIterable {
    case draft, issued, balanced, cancelled
    case enteredInError = "entered-in-error"
}

/// `DiagnosticReport.status` and `Observation.status` (required bindings `diagnostic-report-status`,
/// `observation-status`; the report has a few more codes).
public enum ResultStatus: String, Sendable, Hashable, CaseIterable {
    case registered, partial, preliminary, final, amended, corrected, appended, cancelled, unknown
    case enteredInError = "entered-in-error"
}

/// `Task.status` (required binding `task-status`).
public enum TaskStatus: String, Sendable, Hashable, CaseIterable {
    case draft, requested, received, accepted, rejected, ready, cancelled
    case inProgress = "in-progress"
    case onHold = "on-hold"
    case failed, completed
    case enteredInError = "entered-in-error"
}

/// `Communication.status` (required binding `event-status`).
public enum EventStatus: String, Sendable, Hashable, CaseIterable {
    case preparation, stopped, completed, unknown
    case inProgress = "in-progress"
    case notDone = "not-done"
    case onHold = "on-hold"
    case enteredInError = "entered-in-error"
}
