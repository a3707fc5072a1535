/// xoshiro256** (Blackman & Vigna), seeded through SplitMix64. Fast and reproducible,
/// **not** cryptographically secure: tests and benchmarks only; runs using it are not private.
public final class SeededRandomSource: NoiseSource {
    public var isCryptographicallySecure: Bool { false }
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    @inline(__always)
    static func step(_ s: inout (UInt64, UInt64, UInt64, UInt64)) -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }

    public func next() -> UInt64 { Self.step(&state) }

    public func fillRandomWords(_ out: UnsafeMutableBufferPointer<UInt32>) {
        var s = state   // local copy: no per-draw class-property access
        var i = 0
        while i + 1 < out.count {
            let v = Self.step(&s)
            out[i] = UInt32(truncatingIfNeeded: v)
            out[i + 1] = UInt32(truncatingIfNeeded: v >> 32)
            i += 2
        }
        if i < out.count { out[i] = UInt32(truncatingIfNeeded: Self.step(&s)) }
        state = s
    }
}
