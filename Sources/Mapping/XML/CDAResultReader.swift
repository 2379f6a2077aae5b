import FHIRCore
import Foundation
import SafeXML

/// Reads the lab results of a C-CDA document (or of a fragment: a Results section, a Result Organizer, a Result
/// Observation) into a `LabDocument`, following the C-CDA on FHIR "Results" mapping: one DiagnosticReport per
/// Result Organizer, one Observation per Result Observation, the Patient from `recordTarget/patientRole`.
///
/// Decisions where the guidance is silent:
/// - a fragment without `recordTarget` gives results without a subject (and no Patient);
/// - a Result Observation with neither a code nor a value is a template placeholder and is skipped; one with a
///   value and no code is an error;
/// - an organizer effectiveTime that is missing or cannot be read is replaced by its observations' times
///   (the guidance's rule for a missing one);
/// - a document that yields no result at all is refused, so that an unrecognised document is never
///   acknowledged as stored.
struct CDAResultReader {
    static let resultOrganizerTemplate = "2.16.840.1.113883.10.20.22.4.1"
    static let resultObservationTemplate = "2.16.840.1.113883.10.20.22.4.2"

    let values: CDAValueReader
    let root: SafeXMLElement

    init(root: SafeXMLElement, terminology: CDATerminology) {
        self.root = root
        values = CDAValueReader(terminology: terminology, document: root)
    }

    /// `ClinicalDocument/id` as `root^extension` (or the root alone), for duplicate detection; nil for fragments.
    var documentID: String? {
        guard root.isCDA("ClinicalDocument"), let id = root.cdaChild("id"), let idRoot = id.nonEmptyAttribute("root") else {
            return nil
        }
        return id.nonEmptyAttribute("extension").map { idRoot + "^" + $0 } ?? idRoot
    }

    func read() throws(MappingError) -> LabDocument {
        var document = LabDocument()
        if let role = root.cdaChild("recordTarget", "patientRole") {
            do {
                document.patient = try values.patient(role)
            } catch {
                throw MappingError(.invalidContent, "recordTarget/patientRole: \(error.reason)")
            }
            guard document.patient?.identifiers.contains(where: { $0["system"] != nil }) == true else {
                throw MappingError(.invalidContent, "recordTarget/patientRole has no id with a root to match the patient by")
            }
        }
        let collected = Self.collect(root)
        var organizers = collected.organizers
        var index = 0
        while index < organizers.count {
            let (nested, observations) = Self.collect(children: organizers[index])
            organizers += nested
            if let report = try report(organizers[index], observations: observations, number: index + 1) {
                document.reports.append(report)
            }
            index += 1
        }
        for (number, observation) in collected.observations.enumerated() {
            if let result = try result(observation, where: "observation \(number + 1)", organizer: nil) {
                document.looseResults.append(result)
            }
        }
        if document.reports.isEmpty && document.looseResults.isEmpty {
            throw MappingError(.invalidContent, "the document holds no Result Organizer or Result Observation with a code or a value")
        }
        return document
    }

    /// The Result Organizers and the Result Observations outside any organizer, at or below `element`.
    static func collect(_ element: SafeXMLElement) -> (organizers: [SafeXMLElement], observations: [SafeXMLElement]) {
        if element.isCDA("organizer"), element.hasTemplate(resultOrganizerTemplate) { return ([element], []) }
        if element.isCDA("observation"), element.hasTemplate(resultObservationTemplate) { return ([], [element]) }
        return collect(children: element)
    }

    static func collect(children element: SafeXMLElement) -> (organizers: [SafeXMLElement], observations: [SafeXMLElement]) {
        var organizers: [SafeXMLElement] = []
        var observations: [SafeXMLElement] = []
        for child in element.children {
            let found = collect(child)
            organizers += found.organizers
            observations += found.observations
        }
        return (organizers, observations)
    }

    func report(_ organizer: SafeXMLElement, observations: [SafeXMLElement], number: Int) throws(MappingError) -> LabReport? {
        let place = "organizer \(number)"
        let performer = values.performingOrganization(of: organizer)
        var results: [LabResult] = []
        for (index, observation) in observations.enumerated() {
            if let result = try result(observation, where: "\(place), observation \(index + 1)", organizer: performer) {
                results.append(result)
            }
        }
        guard let code = organizer.cdaChild("code").flatMap(values.codeableConcept) else {
            if results.isEmpty { return nil }
            throw MappingError(.invalidContent, "\(place): a Result Organizer with results needs a code")
        }
        let status = organizer.cdaChild("statusCode")?.nonEmptyAttribute("code")
        var report = LabReport(code: code, status: status.flatMap { values.terminology.reportStatus[$0] } ?? "unknown")
        report.identifiers = values.identifiers(of: organizer)
        report.effective = (try? values.effectiveTime(organizer.cdaChild("effectiveTime"))) ?? nil
        if report.effective == nil { report.effective = Self.span(of: results.compactMap(\.effective)) }
        report.performer = performer
        report.results = results
        return report
    }

    /// The earliest start and latest end of the results' times: one dateTime when they are all the same.
    static func span(of times: [LabEffectiveTime]) -> LabEffectiveTime? {
        var points: [FHIRDateTime] = []
        for time in times {
            switch time {
            case .dateTime(let text): points += [FHIRDateTime(text)].compactMap { $0 }
            case .period(let start, let end): points += [start, end].compactMap { $0.flatMap(FHIRDateTime.init) }
            }
        }
        guard let first = points.min(by: { $0.lowerBound < $1.lowerBound }),
              let last = points.max(by: { $0.upperBound < $1.upperBound }) else { return nil }
        return first.text == last.text ? .dateTime(first.text) : .period(start: first.text, end: last.text)
    }
}
