extension FHIRResource {
    /// A new server-assigned id: a random (version 4) UUID in lower case, such as
    /// `0b5e1a6c-3f2d-4e8a-9c71-5d0e2f4a8b13`.
    ///
    /// Its 122 random bits come from the system's secure generator (`getrandom`); Foundation's `UUID()` opens and
    /// reads `/dev/urandom` for every id on Linux, three system calls per resource and per audit event.
    public static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = withUnsafeBytes(of: (generator.next() as UInt64, generator.next() as UInt64)) { Array($0) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return uuidText(bytes)
    }

    /// 16 bytes as a UUID's text in lower case (`8-4-4-4-12` hexadecimal digits).
    public static func uuidText(_ bytes: [UInt8]) -> String {
        precondition(bytes.count == 16, "a UUID has 16 bytes")
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
