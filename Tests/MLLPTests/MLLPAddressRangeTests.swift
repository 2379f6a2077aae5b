import Testing

@testable import MLLP

@Suite("MLLP: allowed source ranges")
struct MLLPAddressRangeTests {
    @Test("exact addresses, CIDR blocks and IPv4 peers seen through IPv6")
    func matching() throws {
        let single = try MLLPAddressRange("127.0.0.1")
        #expect(single.contains("127.0.0.1"))
        #expect(!single.contains("127.0.0.2"))
        #expect(single.contains("::ffff:127.0.0.1"))
        let block = try MLLPAddressRange("10.1.0.0/16")
        #expect(block.contains("10.1.255.3"))
        #expect(!block.contains("10.2.0.1"))
        let odd = try MLLPAddressRange("192.168.1.128/25")
        #expect(odd.contains("192.168.1.200"))
        #expect(!odd.contains("192.168.1.127"))
        let v6 = try MLLPAddressRange("fd00::/8")
        #expect(v6.contains("fd12::1"))
        #expect(!v6.contains("fe80::1"))
        #expect(!v6.contains("10.0.0.1"))
        #expect(try MLLPAddressRange("0.0.0.0/0").contains("8.8.8.8"))
        #expect(try MLLPAddressRange("::1").contains("::1"))
    }

    @Test("text that is not an address or has a bad prefix length is refused",
          arguments: ["", "localhost", "10.0.0.0/33", "10.0.0.0/x", "::1/129", "1.2.3.4/8/9", "10.0.0"])
    func invalid(text: String) {
        #expect(throws: MLLPError.self) { try MLLPAddressRange(text) }
    }
}
