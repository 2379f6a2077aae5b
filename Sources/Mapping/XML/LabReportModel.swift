import FHIRCore

/// What an XML lab feed says, read out of the document but not yet laid out as FHIR resources: both the C-CDA
/// reader and the vendor mappings fill it, and `LabBundleWriter` turns it into the transaction Bundle. Values
/// are already FHIR datatypes (CodeableConcept, Quantity, ...) so decimals and times keep their text.
struct LabDocument: Sendable {
    /// The patient the results are about; nil for a document fragment without one.
    var patient: LabPatient?
    var reports: [LabReport] = []
    /// Results outside any report (a lone C-CDA Result Observation): Observations without a DiagnosticReport.
    var looseResults: [LabResult] = []
}

/// Patient demographics.
struct LabPatient: Sendable {
    var identifiers: [JSONValue] = []
    var names: [JSONValue] = []
    var gender: String?
    var birthDate: String?
    var addresses: [JSONValue] = []
    var telecoms: [JSONValue] = []
}

/// The laboratory (or other organization) that produced a report or a result.
struct LabOrganization: Sendable {
    var identifiers: [JSONValue] = []
    var name: String?
    var addresses: [JSONValue] = []
    var telecoms: [JSONValue] = []
}

/// `effectiveDateTime` or `effectivePeriod`.
enum LabEffectiveTime: Sendable, Hashable {
    case dateTime(String)
    case period(start: String?, end: String?)

    /// The element name and value as FHIR writes them.
    var element: (key: String, value: JSONValue) {
        switch self {
        case .dateTime(let text): ("effectiveDateTime", .string(text))
        case .period(let start, let end):
            ("effectivePeriod", .object(JSONObject([("start", start.map(JSONValue.string)), ("end", end.map(JSONValue.string))]
                .compactMap { key, value in value.map { (key, $0) } })))
        }
    }
}

/// What a report and a result both say about themselves, written the same way in a DiagnosticReport and an
/// Observation.
protocol LabRecord: Sendable {
    var identifiers: [JSONValue] { get }
    var code: JSONValue { get }
    var status: String { get }
    var effective: LabEffectiveTime? { get }
    var issued: String? { get }
}

/// One order's report: a DiagnosticReport with its results.
struct LabReport: LabRecord {
    var identifiers: [JSONValue] = []
    var code: JSONValue
    var status: String
    var effective: LabEffectiveTime?
    var issued: String?
    var performer: LabOrganization?
    var results: [LabResult] = []
}

/// One result: an Observation.
struct LabResult: LabRecord {
    var identifiers: [JSONValue] = []
    var code: JSONValue
    var status: String
    var effective: LabEffectiveTime?
    var issued: String?
    var performer: LabOrganization?
    /// `valueQuantity`, `valueString`, `valueCodeableConcept`, `valueRange`, ... and its value.
    var value: (key: String, value: JSONValue)?
    var interpretation: [JSONValue] = []
    var notes: [String] = []
    var referenceRanges: [JSONValue] = []
}
