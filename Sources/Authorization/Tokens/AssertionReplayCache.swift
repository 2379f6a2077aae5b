import Foundation

/// The client assertions already used (`client_id` and `jti`), each kept until it expires; a second use of
/// one is a replay.
actor AssertionReplayCache {
    private var used: [String: Date] = [:]

    /// Records the assertion; false when it was used before and has not expired since.
    func firstUse(clientID: String, jti: String, expires: Date, now: Date) -> Bool {
        used = used.filter { $0.value > now }
        let key = "\(clientID) \(jti)"
        guard used[key] == nil else { return false }
        used[key] = expires
        return true
    }
}
