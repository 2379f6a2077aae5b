import SafeXML

/// Where one value of a vendor document is and how it is read: selectors tried in order (the first that gives
/// a non-empty text wins), else a constant; then an inline map or a code table, a default, a time format.
struct XMLValueRule: Sendable {
    var paths: [SafeXMLPath] = []
    var constant: String?
    var map: [String: String]?
    var table: CodeTable?
    var defaultValue: String?
    var format: XMLTimeFormat?
    /// `file:line` of the rule, for errors.
    var location: String

    /// The trimmed, non-empty texts the first matching selector gives (several for a repeating element).
    func texts(in element: SafeXMLElement) -> [String] {
        for path in paths {
            let found = element.values(path).map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
                .filter { !$0.isEmpty }
            if !found.isEmpty { return found }
        }
        return constant.map { [$0] } ?? []
    }

    /// The first text, before any map.
    func text(in element: SafeXMLElement) -> String? { texts(in: element).first }

    /// What the selectors say, for messages.
    var described: String {
        paths.isEmpty ? "\"\(constant ?? "")\"" : paths.map(\.description).joined(separator: " or ")
    }
}

/// A code with its system and display (`code`, `system`, `display` rules); the system name goes through
/// `coding-systems` of `mappings/settings.yaml` (`LN` -> `http://loinc.org`).
struct XMLCodeRule: Sendable {
    var code: XMLValueRule
    var system: XMLValueRule?
    var display: XMLValueRule?
}

/// An identifier: its value and system (a URI, written or selected).
struct XMLIdentifierRule: Sendable {
    var value: XMLValueRule
    var system: XMLValueRule?
}

/// `patient:` where the patient is (`at`, relative to the root) and its demographics.
struct VendorPatientRule: Sendable {
    var at: SafeXMLPath?
    var identifier: XMLIdentifierRule
    var family: XMLValueRule?
    var given: XMLValueRule?
    var gender: XMLValueRule?
    var birthDate: XMLValueRule?
}

/// `performer:` the laboratory (relative to the root).
struct VendorPerformerRule: Sendable {
    var name: XMLValueRule?
    var identifier: XMLIdentifierRule?
}

/// `results:` each result of an order (`each`, relative to the order element).
struct VendorResultRule: Sendable {
    var each: SafeXMLPath
    var id: XMLValueRule
    var code: XMLCodeRule
    var value: XMLValueRule?
    /// Maps to `quantity`, `string` or `coded`; without it a number (with an optional `<`, `<=`, `>=`, `>`)
    /// is a Quantity and anything else a string.
    var valueType: XMLValueRule?
    var valueCode: XMLCodeRule?
    var unit: XMLValueRule?
    /// Whether units are UCUM codes (then they are also written as Quantity.system/code).
    var ucumUnits = false
    var rangeText: XMLValueRule?
    var rangeLow: XMLValueRule?
    var rangeHigh: XMLValueRule?
    var flag: XMLValueRule?
    var status: XMLValueRule?
    var effective: XMLValueRule?
    var issued: XMLValueRule?
    var note: XMLValueRule?
}

/// `orders:` each order (`each`, relative to the root) and its results.
struct VendorOrderRule: Sendable {
    var each: SafeXMLPath
    var placer: XMLIdentifierRule?
    var filler: XMLIdentifierRule?
    var code: XMLCodeRule
    var status: XMLValueRule?
    var effective: XMLValueRule?
    var issued: XMLValueRule?
    var results: VendorResultRule
}

/// One vendor format (`mappings/xml/NAME.yaml`, top-level key `vendor:`).
struct VendorMapping: Sendable {
    var name: String
    /// The root element's local name and namespace URI that say a document is in this format.
    var rootName: String
    var rootNamespace: String?
    var documentID: XMLValueRule?
    /// The system of order numbers and result ids when the mapping gives none.
    var identifierSystem: String
    /// The offset given to this vendor's times written without one (else the hub's `timezone-offset`).
    var timezoneOffset: String?
    var patient: VendorPatientRule?
    var performer: VendorPerformerRule?
    var orders: VendorOrderRule
    var file: String

    func recognises(_ root: SafeXMLElement) -> Bool {
        root.name == rootName && root.namespaceURI == rootNamespace
    }
}
