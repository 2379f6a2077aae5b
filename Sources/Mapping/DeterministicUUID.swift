import FHIRCore

/// UUIDs derived from text, so that converting the same message twice gives the same `urn:uuid:` fullUrls.
enum DeterministicUUID {
    /// A version-8 (custom) UUID from two FNV-1a hashes of the parts.
    static func make(_ parts: String...) -> String {
        let text = parts.joined(separator: "\u{1F}")
        let high = mix(fnv1a(text, seed: 0xcbf2_9ce4_8422_2325))
        let low = mix(fnv1a(text, seed: 0x8422_2325_cbf2_9ce4) ^ high)
        var bytes: [UInt8] = []
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: high >> UInt64(shift))) }
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: low >> UInt64(shift))) }
        bytes[6] = (bytes[6] & 0x0F) | 0x80
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return FHIRResource.uuidText(bytes)
    }

    /// The splitmix64 finalizer, so that texts differing in one character give unrelated UUIDs.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func fnv1a(_ text: String, seed: UInt64) -> UInt64 {
        var hash = seed
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
