/// The ChaCha20 block function (RFC 8439), eight blocks at a time in `SIMD8<UInt32>` lanes.
///
/// Used as the keystream of `SecureRandomSource`: a 256-bit key from the kernel CSPRNG, the
/// block counter in word 12, and fast key erasure (each refill's first 32 bytes become the next
/// key and are never output), as in Bernstein's "fast-key-erasure RNG" and the Linux kernel.
public enum ChaCha20 {
    @inline(__always)
    static func rotl(_ x: SIMD8<UInt32>, _ n: UInt32) -> SIMD8<UInt32> {
        (x &<< SIMD8(repeating: n)) | (x &>> SIMD8(repeating: 32 &- n))
    }

    @inline(__always)
    static func quarterRound(_ a: inout SIMD8<UInt32>, _ b: inout SIMD8<UInt32>,
                             _ c: inout SIMD8<UInt32>, _ d: inout SIMD8<UInt32>) {
        a &+= b; d ^= a; d = rotl(d, 16)
        c &+= d; b ^= c; b = rotl(b, 12)
        a &+= b; d ^= a; d = rotl(d, 8)
        c &+= d; b ^= c; b = rotl(b, 7)
    }

    /// Eight consecutive blocks (counters `counter … counter+7`) written word-major to `out`:
    /// `out[16·0 … 16·0+15]` holds word 0 of blocks 0…7 then word 1 …, i.e. `out[w·8 + j]` is
    /// word `w` of block `j`. 128 words in all.
    @inlinable
    public static func eightBlocks(key: UnsafePointer<UInt32>, counter: UInt32, nonce: (UInt32, UInt32, UInt32),
                                   into out: UnsafeMutablePointer<UInt32>) {
        _eightBlocks(key: key, counter: counter, nonce: nonce, into: out)
    }

    @usableFromInline
    static func _eightBlocks(key: UnsafePointer<UInt32>, counter: UInt32, nonce: (UInt32, UInt32, UInt32),
                             into out: UnsafeMutablePointer<UInt32>) {
        let s0 = SIMD8<UInt32>(repeating: 0x6170_7865), s1 = SIMD8<UInt32>(repeating: 0x3320_646e)
        let s2 = SIMD8<UInt32>(repeating: 0x7962_2d32), s3 = SIMD8<UInt32>(repeating: 0x6b20_6574)
        let k0 = SIMD8(repeating: key[0]), k1 = SIMD8(repeating: key[1]), k2 = SIMD8(repeating: key[2])
        let k3 = SIMD8(repeating: key[3]), k4 = SIMD8(repeating: key[4]), k5 = SIMD8(repeating: key[5])
        let k6 = SIMD8(repeating: key[6]), k7 = SIMD8(repeating: key[7])
        let c = SIMD8<UInt32>(repeating: counter) &+ SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7)
        let n0 = SIMD8(repeating: nonce.0), n1 = SIMD8(repeating: nonce.1), n2 = SIMD8(repeating: nonce.2)
        var x0 = s0, x1 = s1, x2 = s2, x3 = s3, x4 = k0, x5 = k1, x6 = k2, x7 = k3
        var x8 = k4, x9 = k5, x10 = k6, x11 = k7, x12 = c, x13 = n0, x14 = n1, x15 = n2
        for _ in 0..<10 {
            quarterRound(&x0, &x4, &x8, &x12)
            quarterRound(&x1, &x5, &x9, &x13)
            quarterRound(&x2, &x6, &x10, &x14)
            quarterRound(&x3, &x7, &x11, &x15)
            quarterRound(&x0, &x5, &x10, &x15)
            quarterRound(&x1, &x6, &x11, &x12)
            quarterRound(&x2, &x7, &x8, &x13)
            quarterRound(&x3, &x4, &x9, &x14)
        }
        let raw = UnsafeMutableRawPointer(out)
        raw.storeBytes(of: x0 &+ s0, toByteOffset: 0, as: SIMD8<UInt32>.self)
        raw.storeBytes(of: x1 &+ s1, toByteOffset: 32, as: SIMD8<UInt32>.self)
        raw.storeBytes(of: x2 &+ s2, toByteOffset: 64, as: SIMD8<UInt32>.self)
        raw.storeBytes(of: x3 &+ s3, toByteOffset: 96, as: SIMD8<UInt32>.self)
        raw.storeBytes(of: x4 &+ k0, toByteOffset: 128, as: SIMD8<UInt32>.self)
        raw.storeBytes(of: x5 &+ k1, toByteOffset: 160, as: SIMD8<UInt32>.self)
        raw.storeBytes(of: x6 &+ k2, toByteOffset: 192, as: SIMD8<UInt32>.self)
        raw.storeBytes(of: x7 &+ k3, toByteOffset: 224, as: SIMD8<UInt32>.self)
        raw.storeBytes(of: x8 &+ k4, toByteOffset: 256, as: SIMD8<UInt32>.self)
        raw.storeBytes(of: x9 &+ k5, toByteOffset: 288, as: SIMD8<UInt32>.self)
        raw.storeBytes(of: x10 &+ k6, toByteOffset: 320, as: SIMD8<UInt32>.self)
        raw.storeBytes(of: x11 &+ k7, toByteOffset: 352, as: SIMD8<UInt32>.self)
        raw.storeBytes(of: x12 &+ c, toByteOffset: 384, as: SIMD8<UInt32>.self)
        raw.storeBytes(of: x13 &+ n0, toByteOffset: 416, as: SIMD8<UInt32>.self)
        raw.storeBytes(of: x14 &+ n1, toByteOffset: 448, as: SIMD8<UInt32>.self)
        raw.storeBytes(of: x15 &+ n2, toByteOffset: 480, as: SIMD8<UInt32>.self)
    }

    /// One RFC 8439 block (16 little-endian words), for known-answer tests.
    public static func block(key: [UInt32], counter: UInt32, nonce: (UInt32, UInt32, UInt32)) -> [UInt32] {
        precondition(key.count == 8)
        var out = [UInt32](repeating: 0, count: 128)
        key.withUnsafeBufferPointer { k in
            out.withUnsafeMutableBufferPointer { o in _eightBlocks(key: k.baseAddress!, counter: counter, nonce: nonce, into: o.baseAddress!) }
        }
        return (0..<16).map { out[$0 * 8] }
    }
}
