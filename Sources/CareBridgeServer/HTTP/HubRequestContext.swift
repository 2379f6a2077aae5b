import Authorization
import Hummingbird
import NIOCore

/// The request context of every hub route: Hummingbird's core context, where the request came from, and
/// the access the authentication middleware granted (nothing until it runs).
public struct HubRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller's address, for audit, rate limits and logs.
    public let remoteAddress: String?
    /// What the caller may do; the authentication middleware replaces the empty grant.
    public var access: AccessGrant

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
        access = AccessGrant(scopes: ScopeSet([]))
    }
}
