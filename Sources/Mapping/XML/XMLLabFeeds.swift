import FHIRCore
import Foundation
import SafeXML

/// Which kind of XML lab feed a document is.
public enum XMLFeedKind: Sendable, Hashable, CustomStringConvertible {
    /// A C-CDA document or fragment carrying lab results (namespace `urn:hl7-org:v3`).
    case cda
    /// A vendor format described by the mapping file with this `name` (`mappings/xml/NAME.yaml`).
    case vendor(String)

    /// `C-CDA` or `vendor:NAME`; also the `messageType` of the result.
    public var description: String {
        switch self {
        case .cda: "C-CDA"
        case .vendor(let name): "vendor:" + name
        }
    }
}

/// The FHIR result of one XML lab document.
public struct XMLFeedResult: Sendable, Hashable {
    /// A Bundle of type `transaction`, ready to POST to the FHIR base (as `MappingResult.bundle`).
    public var bundle: FHIRResource
    /// The document's own id for duplicate detection (`ClinicalDocument/id`, or the vendor mapping's
    /// `document-id`); nil when the document has none.
    public var documentID: String?
    /// The kind that converted it.
    public var kind: XMLFeedKind
    /// The identifier the Patient is matched by; nil when the document names no patient (a C-CDA fragment),
    /// in which case the results have no subject.
    public var patient: IdentifierKey?
}

/// The XML lab feeds the hub reads besides HL7 v2.xml: C-CDA lab results and the vendor formats described by
/// `mappings/xml/*.yaml`. An immutable value, loaded once and shared.
public struct XMLLabFeeds: Sendable {
    let cda: CDATerminology
    let vendors: [VendorMapping]
    let terminology: Terminology

    /// The vendor formats, by name, sorted.
    public var vendorNames: [String] { vendors.map(\.name).sorted() }

    /// Loads `directory/xml/*.yaml` (the C-CDA vocabulary and the vendor mappings) together with the code tables
    /// and settings of `directory` (the same mappings folder `MappingSet.load(from:)` reads).
    /// - Throws: `MappingError` of kind `invalidMapping` naming the file and line that is wrong.
    public static func load(from directory: URL) throws(MappingError) -> XMLLabFeeds {
        var loader = MappingLoader()
        try loader.load(directory)
        var feeds = XMLFeedLoader(terminology: loader.terminology)
        try feeds.load(directory.appendingPathComponent("xml", isDirectory: true))
        return XMLLabFeeds(cda: feeds.cda, vendors: feeds.vendors, terminology: loader.terminology)
    }

    /// The kind of `root`: a vendor format whose `recognise` root name and namespace match, else C-CDA for an
    /// element in the `urn:hl7-org:v3` namespace or a C-CDA results element (`ClinicalDocument`, `section`,
    /// `organizer`, `observation`) in no namespace; nil for anything else (e.g. HL7 v2.xml).
    public func detect(_ root: SafeXMLElement) -> XMLFeedKind? {
        if let vendor = vendors.first(where: { $0.recognises(root) }) { return .vendor(vendor.name) }
        if root.namespaceURI == SafeXMLElement.cdaNamespace { return .cda }
        if root.namespaceURI == nil, ["ClinicalDocument", "section", "organizer", "observation"].contains(root.name) {
            return .cda
        }
        return nil
    }

    /// Converts one document of `kind` into a transaction Bundle.
    /// - Throws: `unsupportedMessageType` for a vendor name no mapping has; `invalidContent` saying where the
    ///   document cannot be mapped (a result without a code, a bad date or number, no result at all).
    public func convert(_ root: SafeXMLElement, kind: XMLFeedKind, context: MappingContext) throws(MappingError) -> XMLFeedResult {
        let document: LabDocument
        let documentID: String?
        switch kind {
        case .cda:
            let reader = CDAResultReader(root: root, terminology: cda)
            document = try reader.read()
            documentID = reader.documentID
        case .vendor(let name):
            guard let mapping = vendors.first(where: { $0.name == name }) else {
                throw MappingError(.unsupportedMessageType, "no XML mapping named \(name)")
            }
            let reader = VendorDocumentReader(mapping: mapping, terminology: terminology)
            document = try reader.read(root)
            documentID = try reader.documentID(root)
        }
        let (bundle, patient) = LabBundleWriter(context: context).bundle(document)
        return XMLFeedResult(bundle: bundle, documentID: documentID, kind: kind, patient: patient)
    }
}
