/// One versioned change to the database schema.
///
/// Each migration lives in its own file (`M0001_....swift`) and is applied once, in version order, inside a
/// transaction; applied versions are recorded in `schema_migration`.
public struct Migration: Sendable, Hashable {
    /// The version, unique and increasing.
    public let version: Int
    /// A short name.
    public let name: String
    /// The SQL statements, applied in order.
    public let statements: [String]

    /// A migration of these statements.
    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }

    /// Every migration, in version order.
    public static let all: [Migration] = [.resources, .searchTokens, .searchIndex, .inboundMessages, .searchIndexCoverage, .webhooks, .paymentNotifications, .subscriptionActivity, .auditEvents, .deliveryIndexes, .deliveryQueue, .indexDigest, .inboundClaims, .tokenMatch, .tokenMatchRows, .markApplied, .tokenMatches, .tokenMatchesLocked, .lookUpByPrimaryKey]
}
