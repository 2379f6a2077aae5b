/// The C-CDA vocabulary the reader needs, from `mappings/xml/ccda.yaml`: code system and identifier OIDs that
/// have a FHIR URI (others become `urn:oid:`), and the status and gender maps.
struct CDATerminology: Sendable {
    /// Code system OID -> FHIR system URI (`2.16.840.1.113883.6.1` -> `http://loinc.org`).
    var codeSystems: [String: String] = [:]
    /// Identifier root OID -> FHIR identifier system (`2.16.840.1.113883.4.6` -> `http://hl7.org/fhir/sid/us-npi`).
    var identifierSystems: [String: String] = [:]
    /// Result Organizer `statusCode` -> DiagnosticReport.status.
    var reportStatus: [String: String] = [:]
    /// Result Observation `statusCode` -> Observation.status.
    var observationStatus: [String: String] = [:]
    /// `administrativeGenderCode/@code` -> Patient.gender.
    var gender: [String: String] = [:]
    /// The offset given to times written without one (`timezone-offset` of `mappings/settings.yaml`).
    var defaultOffset = "Z"

    /// The FHIR system of a code system OID: the configured URI, else `urn:oid:OID` (a UUID root becomes
    /// `urn:uuid:`).
    func codeSystem(_ oid: String) -> String {
        if let known = codeSystems[oid] { return known }
        return Self.uidURI(oid)
    }

    /// `urn:oid:` for an OID, `urn:uuid:` (lower case) for a UUID, the text itself otherwise.
    static func uidURI(_ root: String) -> String {
        if Terminology.isOID(root) { return "urn:oid:" + root }
        if isUUID(root) { return "urn:uuid:" + root.lowercased() }
        return root
    }

    static func isUUID(_ text: String) -> Bool {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
        return groups == [8, 4, 4, 4, 12] && text.allSatisfy { $0 == "-" || $0.isHexDigit }
    }
}
