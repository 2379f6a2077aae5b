import FHIRCore
import Foundation

/// What the converter needs besides the message itself.
public struct MappingContext: Sendable, Hashable {
    /// When the hub received the message; used when the message carries no time of its own (e.g. for
    /// `Communication.sent` or `Invoice.date`).
    public var receivedAt: Date
    /// A stable identifier of this message (e.g. the inbound log id); the `urn:uuid:` fullUrls of the bundle are
    /// derived from it, so converting the same message twice gives the same bundle.
    public var messageID: String

    /// A context for one message.
    public init(receivedAt: Date, messageID: String) {
        self.receivedAt = receivedAt
        self.messageID = messageID
    }
}

/// An identifier as the hub matches it: `system|value`.
public struct IdentifierKey: Sendable, Hashable, CustomStringConvertible {
    /// `Identifier.system`.
    public var system: String
    /// `Identifier.value`.
    public var value: String

    /// A key from its two parts.
    public init(system: String, value: String) {
        self.system = system
        self.value = value
    }

    /// `system|value`, the form of a FHIR token search (`identifier=system|value`).
    public var description: String { "\(system)|\(value)" }

    /// The conditional criteria that find the resource with this identifier (`identifier=system|value`, each
    /// part escaped for FHIR search and for a URL query), as used in `ifNoneExist` and conditional URLs.
    public var criteria: String {
        "identifier=" + TransactionBuilder.searchEscaped(system) + "|" + TransactionBuilder.searchEscaped(value)
    }
}

/// An ADT^A40 merge: the ingest layer moves references from `merged`'s Patient to `survivor`'s Patient.
public struct PatientMerge: Sendable, Hashable {
    /// The identifier of the Patient that stays (PID-3).
    public var survivor: IdentifierKey
    /// The identifier of the Patient merged away (MRG-1); the bundle marks it `active=false` with a
    /// `replaced-by` link.
    public var merged: IdentifierKey

    /// A merge of `merged` into `survivor`.
    public init(survivor: IdentifierKey, merged: IdentifierKey) {
        self.survivor = survivor
        self.merged = merged
    }
}

/// The FHIR result of one message.
public struct MappingResult: Sendable, Hashable {
    /// A Bundle of type `transaction`, ready to POST to the FHIR base.
    public var bundle: FHIRResource
    /// The message type and trigger, e.g. `ADT^A01`.
    public var messageType: String
    /// For merges (ADT^A40), which patient was merged into which.
    public var merge: PatientMerge?

    /// A result from its parts.
    public init(bundle: FHIRResource, messageType: String, merge: PatientMerge? = nil) {
        self.bundle = bundle
        self.messageType = messageType
        self.merge = merge
    }
}
