import Foundation

/// What became of an inbound message.
public enum InboundStatus: String, Sendable, Hashable, CaseIterable {
    /// Stored, not processed yet (or processing was interrupted).
    case received
    /// Applied: its resources were written in the same transaction as this status.
    case processed
    /// Refused or failed (`error` says why); it can be replayed.
    case error
    /// The same sender's control id was already processed; acknowledged again, not applied twice.
    case duplicate
}

/// Where an inbound message came from.
public enum InboundSource: String, Sendable, Hashable {
    case mllp, http, cli, replay
}

/// The header facts of an inbound message, stored with its raw bytes.
public struct InboundHeader: Sendable, Hashable {
    /// MSH-3 and MSH-4.
    public var sendingApplication: String
    public var sendingFacility: String
    /// MSH-10.
    public var controlID: String
    /// MSH-9 as `ADT^A01`.
    public var messageType: String

    public init(sendingApplication: String = "", sendingFacility: String = "", controlID: String = "", messageType: String = "") {
        self.sendingApplication = sendingApplication
        self.sendingFacility = sendingFacility
        self.controlID = controlID
        self.messageType = messageType
    }
}

/// A message as received, for `StoreSession.recordInbound`.
public struct ArrivedInbound: Sendable {
    public var raw: [UInt8]
    public var source: InboundSource
    /// The remote end it came from, if known.
    public var peer: String?
    public var header: InboundHeader

    public init(raw: [UInt8], source: InboundSource, peer: String?, header: InboundHeader) {
        self.raw = raw
        self.source = source
        self.peer = peer
        self.header = header
    }
}

/// A logged message that was applied, for `StoreSession.markApplied`: its log id, header and the resources it wrote.
public struct AppliedInbound: Sendable {
    public var id: Int64
    public var header: InboundHeader
    /// The `Type/id` of each resource written.
    public var resources: [String]

    public init(id: Int64, header: InboundHeader, resources: [String]) {
        self.id = id
        self.header = header
        self.resources = resources
    }
}

/// One row of the inbound log.
public struct InboundMessage: Sendable, Hashable {
    public var id: Int64
    public var source: String
    public var peer: String?
    public var header: InboundHeader
    public var receivedAt: Date
    public var status: InboundStatus
    public var error: String?
    /// The `Type/id` of each resource the message wrote.
    public var resources: [String]
    /// For a duplicate, the message that was applied.
    public var duplicateOf: Int64?
    public var processedAt: Date?
    /// How many times processing was attempted (replays count).
    public var attempts: Int
    /// The message as received (only filled by `inboundMessage(_:)`).
    public var raw: [UInt8]
}

/// Which inbound messages to list; nil fields do not filter.
public struct InboundFilter: Sendable, Hashable {
    public var status: InboundStatus?
    public var messageType: String?
    public var sendingApplication: String?
    public var controlID: String?
    public var receivedSince: Date?
    /// At most this many, newest first, from `offset`.
    public var limit: Int
    public var offset: Int

    public init(
        status: InboundStatus? = nil, messageType: String? = nil, sendingApplication: String? = nil,
        controlID: String? = nil, receivedSince: Date? = nil, limit: Int = 50, offset: Int = 0
    ) {
        self.status = status
        self.messageType = messageType
        self.sendingApplication = sendingApplication
        self.controlID = controlID
        self.receivedSince = receivedSince
        self.limit = limit
        self.offset = offset
    }
}
