#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP address or a CIDR block (`10.1.2.3`, `10.0.0.0/8`, `::1`, `fd00::/8`) peers may connect from.
///
/// An IPv4 peer seen through an IPv6 socket (`::ffff:10.1.2.3`) matches the IPv4 ranges.
public struct MLLPAddressRange: Sendable, Hashable, CustomStringConvertible {
    private let network: [UInt8]
    private let prefixLength: Int

    /// Reads `address` or `address/prefix-length`; throws ``MLLPError/Code-swift.struct/invalidAddressRange``.
    public init(_ text: String) throws(MLLPError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = Self.bytes(of: String(parts[0])) else {
            throw MLLPError(.invalidAddressRange, "\"\(text)\" is not an IP address or address/prefix-length")
        }
        var prefixLength = address.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...address.count * 8).contains(length) else {
                throw MLLPError(.invalidAddressRange, "\"\(text)\" has a prefix length outside 0...\(address.count * 8)")
            }
            prefixLength = length
        }
        self.network = address
        self.prefixLength = prefixLength
    }

    /// Whether the textual IP address `address` lies in this range (false when it is not an address).
    public func contains(_ address: String) -> Bool {
        guard var bytes = Self.bytes(of: address) else { return false }
        if bytes.count == 16, self.network.count == 4, bytes.prefix(12).elementsEqual(Self.ipv4MappedPrefix) {
            bytes = Array(bytes.suffix(4))
        }
        guard bytes.count == self.network.count else { return false }
        var remaining = self.prefixLength
        for (ours, theirs) in zip(self.network, bytes) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if ours & mask != theirs & mask { return false }
            remaining -= 8
        }
        return true
    }

    /// `address/prefix-length`, as configured.
    public var description: String {
        let address: String
        if self.network.count == 4 {
            address = self.network.map(String.init).joined(separator: ".")
        } else {
            address = stride(from: 0, to: 16, by: 2)
                .map { String(UInt16(self.network[$0]) << 8 | UInt16(self.network[$0 + 1]), radix: 16) }
                .joined(separator: ":")
        }
        return "\(address)/\(self.prefixLength)"
    }

    private static let ipv4MappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]

    /// The 4 or 16 bytes of a textual IPv4 or IPv6 address.
    private static func bytes(of text: String) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let family = text.contains(":") ? AF_INET6 : AF_INET
        let parsed = bytes.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) }
        guard parsed == 1 else { return nil }
        return family == AF_INET ? Array(bytes.prefix(4)) : bytes
    }
}
