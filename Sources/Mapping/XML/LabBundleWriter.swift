import FHIRCore

/// Lays a `LabDocument` out as resources and hands them to `TransactionBuilder`, so XML feeds get the same
/// requests as the HL7v2 mappings: the Patient and performing Organizations are created when unknown
/// (`ifNoneExist` on their identifier), Observations and DiagnosticReports are updated in place when they
/// carry an identifier, and fullUrls are derived from the message id.
struct LabBundleWriter {
    let context: MappingContext

    /// The transaction Bundle and the identity of the Patient (nil when the document has none).
    func bundle(_ document: LabDocument) -> (bundle: FHIRResource, patient: IdentifierKey?) {
        var instances: [ResourceInstance] = []
        var patientReference: JSONValue?
        if let patient = document.patient {
            let instance = make("patient", "Patient", .create, index: 0, patientResource(patient))
            patientReference = reference(instance)
            instances.append(instance)
        }
        var organizations: [ResourceInstance] = []
        var reports: [ResourceInstance] = []
        var observations: [ResourceInstance] = []
        for (reportIndex, report) in document.reports.enumerated() {
            var results: [JSONValue] = []
            for (resultIndex, result) in report.results.enumerated() {
                let performer = result.performer.map { organizationReference($0, "\(reportIndex).\(resultIndex)", &organizations) }
                let observation = make("observation", "Observation", .update, index: "\(reportIndex).\(resultIndex)",
                                       observationResource(result, subject: patientReference, performer: performer),
                                       identified: !result.identifiers.isEmpty)
                results.append(reference(observation))
                observations.append(observation)
            }
            let performer = report.performer.map { organizationReference($0, "\(reportIndex)", &organizations) }
            reports.append(make("report", "DiagnosticReport", .update, index: reportIndex,
                                reportResource(report, subject: patientReference, performer: performer, results: results),
                                identified: !report.identifiers.isEmpty))
        }
        for (index, result) in document.looseResults.enumerated() {
            let performer = result.performer.map { organizationReference($0, "loose.\(index)", &organizations) }
            observations.append(make("observation", "Observation", .update, index: "loose.\(index)",
                                     observationResource(result, subject: patientReference, performer: performer),
                                     identified: !result.identifiers.isEmpty))
        }
        instances += organizations + observations + reports
        let (bundle, keys) = TransactionBuilder.bundle(instances)
        return (bundle, keys["patient"])
    }

    private func make(_ name: String, _ type: String, _ request: RequestKind, index: any CustomStringConvertible,
                      _ resource: JSONObject, identified: Bool = true) -> ResourceInstance {
        let rule = ResourceRule(name: name, type: type, request: request, identity: identified ? IdentityRule() : nil,
                                fields: [], location: "xml")
        let url = "urn:uuid:" + DeterministicUUID.make(context.messageID, name, index.description)
        return ResourceInstance(rule: rule, position: nil, fullUrl: url, resource: resource)
    }

    private func reference(_ instance: ResourceInstance) -> JSONValue {
        .object(JSONObject([("reference", .string(instance.fullUrl))]))
    }

    /// A reference to a new Organization when it has an identifier to be found by; otherwise its name only,
    /// so that replaying the document does not create it again.
    private func organizationReference(_ organization: LabOrganization, _ index: String,
                                       _ organizations: inout [ResourceInstance]) -> JSONValue {
        guard !organization.identifiers.isEmpty else {
            return .object(JSONObject([("display", organization.name.map(JSONValue.string) ?? .string("unknown"))]))
        }
        var resource = JSONObject([("resourceType", .string("Organization"))])
        resource["identifier"] = .array(organization.identifiers)
        if let name = organization.name { resource["name"] = .string(name) }
        if !organization.telecoms.isEmpty { resource["telecom"] = .array(organization.telecoms) }
        if !organization.addresses.isEmpty { resource["address"] = .array(organization.addresses) }
        let instance = make("organization", "Organization", .create, index: index, resource)
        organizations.append(instance)
        var reference = reference(instance).objectValue ?? JSONObject()
        if let name = organization.name { reference["display"] = .string(name) }
        return .object(reference)
    }

    private func patientResource(_ patient: LabPatient) -> JSONObject {
        var resource = JSONObject([("resourceType", .string("Patient"))])
        resource["identifier"] = .array(patient.identifiers)
        resource["active"] = .bool(true)
        if !patient.names.isEmpty { resource["name"] = .array(patient.names) }
        if !patient.telecoms.isEmpty { resource["telecom"] = .array(patient.telecoms) }
        if let gender = patient.gender { resource["gender"] = .string(gender) }
        if let birthDate = patient.birthDate { resource["birthDate"] = .string(birthDate) }
        if !patient.addresses.isEmpty { resource["address"] = .array(patient.addresses) }
        return resource
    }

    private func observationResource(_ result: LabResult, subject: JSONValue?, performer: JSONValue?) -> JSONObject {
        var resource = recordResource("Observation", result, subject: subject, performer: performer)
        if let value = result.value { resource[value.key] = value.value }
        if !result.interpretation.isEmpty { resource["interpretation"] = .array(result.interpretation) }
        if !result.notes.isEmpty {
            resource["note"] = .array(result.notes.map { .object(JSONObject([("text", .string($0))])) })
        }
        if !result.referenceRanges.isEmpty { resource["referenceRange"] = .array(result.referenceRanges) }
        return resource
    }

    private func reportResource(_ report: LabReport, subject: JSONValue?, performer: JSONValue?,
                                results: [JSONValue]) -> JSONObject {
        var resource = recordResource("DiagnosticReport", report, subject: subject, performer: performer)
        if !results.isEmpty { resource["result"] = .array(results) }
        return resource
    }

    /// The elements a DiagnosticReport and an Observation share, in the order both resources define them.
    private func recordResource(_ type: String, _ record: some LabRecord, subject: JSONValue?,
                                performer: JSONValue?) -> JSONObject {
        var resource = JSONObject([("resourceType", .string(type))])
        if !record.identifiers.isEmpty { resource["identifier"] = .array(record.identifiers) }
        resource["status"] = .string(record.status)
        resource["code"] = record.code
        if let subject { resource["subject"] = subject }
        if let effective = record.effective?.element { resource[effective.key] = effective.value }
        if let issued = record.issued { resource["issued"] = .string(issued) }
        if let performer { resource["performer"] = .array([performer]) }
        return resource
    }
}
