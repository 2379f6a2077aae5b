/// Byte searches eight bytes at a time: a 64-bit word is compared with a byte repeated eight times, and the bytes
/// that match come out as the high bit of each byte of the result (exactly those bytes, no false positives).
enum ByteScan {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// The high bit of each byte of `word` that is zero.
    @inline(__always)
    static func zeroBytes(_ word: UInt64) -> UInt64 { ~(((word & low7) &+ low7) | word | low7) }

    @inline(__always)
    static func word(_ input: UnsafeBufferPointer<UInt8>, at offset: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawBufferPointer(input).loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The end of the line starting at `start`: the offset of its CR or LF, or the end of the input.
    static func lineEnd(in bytes: [UInt8], from start: Int) -> Int {
        bytes.withUnsafeBufferPointer { input in
            let crs = ones &* 0x0D, lfs = ones &* 0x0A
            var index = start
            while index + 8 <= input.count {
                let word = word(input, at: index)
                let ends = zeroBytes(word ^ crs) | zeroBytes(word ^ lfs)
                if ends != 0 { return index + ends.trailingZeroBitCount / 8 }
                index += 8
            }
            while index < input.count, input[index] != 0x0D, input[index] != 0x0A { index += 1 }
            return index
        }
    }

    /// One pass over the line starting at `start`: its end (the offset of its CR or LF, or the end of the input),
    /// how many `separator` bytes it holds, and their offsets in `offsets` (as many as fit).
    static func line(in bytes: [UInt8], from start: Int, separator: UInt8,
                     into offsets: UnsafeMutableBufferPointer<UInt32>) -> (end: Int, separators: Int) {
        bytes.withUnsafeBufferPointer { input in
            let count = input.count
            let capacity = offsets.count
            let crs = ones &* 0x0D, lfs = ones &* 0x0A, pattern = ones &* UInt64(separator)
            var index = start
            var found = 0
            while index + 8 <= count {
                let word = word(input, at: index)
                let ends = zeroBytes(word ^ crs) | zeroBytes(word ^ lfs)
                var matches = zeroBytes(word ^ pattern)
                if ends != 0 {
                    let offset = ends.trailingZeroBitCount / 8
                    matches &= (1 << (8 * UInt64(offset))) &- 1
                    while matches != 0 {
                        if found < capacity { offsets[found] = UInt32(index + matches.trailingZeroBitCount / 8) }
                        found += 1
                        matches &= matches &- 1
                    }
                    return (index + offset, found)
                }
                while matches != 0 {
                    if found < capacity { offsets[found] = UInt32(index + matches.trailingZeroBitCount / 8) }
                    found += 1
                    matches &= matches &- 1
                }
                index += 8
            }
            while index < count, input[index] != 0x0D, input[index] != 0x0A {
                if input[index] == separator {
                    if found < capacity { offsets[found] = UInt32(index) }
                    found += 1
                }
                index += 1
            }
            return (index, found)
        }
    }

    /// The first offset of `byte` in `range` of `input`, or nil.
    @inline(__always)
    static func firstIndex(of byte: UInt8, in input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        let pattern = ones &* UInt64(byte)
        var index = range.lowerBound
        while index + 8 <= range.upperBound {
            let matches = zeroBytes(word(input, at: index) ^ pattern)
            if matches != 0 { return index + matches.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < range.upperBound {
            if input[index] == byte { return index }
            index += 1
        }
        return nil
    }

    /// The first offset of `byte` in `range` of `bytes`, or nil.
    static func firstIndex(of byte: UInt8, in bytes: [UInt8], _ range: Range<Int>) -> Int? {
        bytes.withUnsafeBufferPointer { firstIndex(of: byte, in: $0, range) }
    }
}
