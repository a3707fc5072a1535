/// The random bits behind every DP release: the kernel CSPRNG (`getrandom(2)`, buffered) or, in
/// tests only, a seeded SplitMix64 stream (releases made with it are marked not private).
///
/// Only integers leave this type: uniform integers are drawn by rejection from the smallest
/// covering power of two, so there is no modulo bias and no floating point.
struct RandomBits {
    private enum Source { case secure(BufferedSystemRandom), seeded(SplitMix64) }
    private var source: Source
    /// True only for the kernel CSPRNG.
    let isPrivate: Bool

    init(_ noise: ReleaseNoise) {
        switch noise {
        case .secure: source = .secure(BufferedSystemRandom()); isPrivate = true
        case let .seeded(s): source = .seeded(SplitMix64(seed: s)); isPrivate = false
        }
    }

    /// 64 uniformly random bits.
    mutating func next() -> UInt64 {
        switch source {
        case var .secure(g): let x = g.next(); source = .secure(g); return x
        case var .seeded(g): let x = g.next(); source = .seeded(g); return x
        }
    }

    /// One fair bit.
    mutating func bit() -> Bool { next() & 1 == 1 }

    /// A uniform integer in `0..<bound` (`bound ≥ 1`), by rejection: draw ⌈log₂ bound⌉ bits until the
    /// value is below `bound` (fewer than two draws on average).
    mutating func uniform(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "uniform(below: 0)")
        if bound == 1 { return 0 }
        let bits = UInt64.bitWidth - (bound - 1).leadingZeroBitCount
        let mask: UInt64 = bits == 64 ? .max : (1 << UInt64(bits)) - 1
        while true {
            let x = next() & mask
            if x < bound { return x }
        }
    }
}
