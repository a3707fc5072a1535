/// Exact discrete Gaussian noise N_Z(0, σ²): P(k) ∝ exp(−k²/2σ²) on the integers, for a rational
/// σ² = n/d (Canonne, Kamath & Steinke 2020, Algorithm 3). Integer arithmetic only.
///
/// Proposals come from the discrete Laplace with integer scale t = ⌊σ⌋ + 1 and are accepted with probability
/// exp(−(|Y| − σ²/t)²/2σ²) = exp(−(|Y|·t·d − n)² / (2·n·d·t²)); the denominator 2·n·d·t² must fit in 64 bits
/// (σ up to about 2¹⁵ grid units), the squared numerator is formed in 128 bits.
///
/// Exactness: a proposal whose acceptance exponent exceeds 2⁶⁴ is rejected after up to 2³² Bernoulli(e⁻¹)
/// trials; only if all of them succeed (probability below exp(−2³²)) does `sample` throw. Accepted draws
/// have exactly the discrete Gaussian distribution.
struct DiscreteGaussianSampler: Sendable {
    /// σ² = varianceNumerator / varianceDenominator (grid units²).
    let varianceNumerator: UInt64
    let varianceDenominator: UInt64
    /// t = ⌊σ⌋ + 1.
    let laplaceScale: UInt64
    private let proposal: DiscreteLaplaceSampler
    /// 2·n·d·t².
    private let acceptanceDenominator: UInt64
    /// t·d.
    private let td: UInt64

    /// - Throws: `ExactNoiseError.parameterOutOfRange` when n or d is 0 or 2·n·d·t² does not fit in 64 bits.
    init(varianceNumerator n: UInt64, denominator d: UInt64) throws {
        guard n >= 1, d >= 1 else {
            throw ExactNoiseError.parameterOutOfRange("discrete Gaussian σ² = \(n)/\(d) must be positive")
        }
        let g = DiscreteLaplaceSampler.gcd(n, d)
        let n = n / g, d = d / g
        let t = Self.integerSquareRoot(n / d) + 1
        func fail() -> ExactNoiseError {
            .parameterOutOfRange("discrete Gaussian σ² = \(n)/\(d) is too large for 64-bit exact sampling (σ must stay below about 2¹⁵ grid units): declare a coarser granularity")
        }
        let (t2, o1) = t.multipliedReportingOverflow(by: t)
        let (nd, o2) = n.multipliedReportingOverflow(by: d)
        let (ndt2, o3) = nd.multipliedReportingOverflow(by: t2)
        let (den, o4) = ndt2.multipliedReportingOverflow(by: 2)
        let (tdv, o5) = t.multipliedReportingOverflow(by: d)
        guard !(o1 || o2 || o3 || o4 || o5) else { throw fail() }
        varianceNumerator = n
        varianceDenominator = d
        laplaceScale = t
        acceptanceDenominator = den
        td = tdv
        proposal = try DiscreteLaplaceSampler(scaleNumerator: t, denominator: 1)
    }

    /// ⌊√x⌋ exactly.
    static func integerSquareRoot(_ x: UInt64) -> UInt64 {
        if x < 2 { return x }
        // Newton's method from above, in integers, starting at 2^⌈bits/2⌉ ≥ √x (so r + x/r < 2³³).
        let bits = UInt64.bitWidth - x.leadingZeroBitCount
        var r: UInt64 = 1 << UInt64((bits + 1) / 2)
        var next = (r + x / r) / 2
        while next < r { r = next; next = (r + x / r) / 2 }
        return r
    }

    /// One draw.
    /// - Throws: `ExactNoiseError.unrepresentableDraw` with probability below exp(−2³²).
    func sample(_ bits: inout RandomBits) throws -> Int64 {
        let n = varianceNumerator
        while true {
            let y = proposal.sample(&bits)
            let m = y.magnitude
            let wide = m.multipliedFullWidth(by: td)
            let accept: Bool
            if wide.high != 0 {
                // |Y|·t·d ≥ 2⁶⁴, so the exponent exceeds 2⁶²: the huge-exponent path of `expMinus`.
                accept = try ExactBernoulli.expMinus(numerator: (high: .max, low: 0), denominator: acceptanceDenominator, &bits)
            } else {
                let mtd = wide.low
                let c = mtd >= n ? mtd - n : n - mtd
                let c2 = c.multipliedFullWidth(by: c)
                accept = try ExactBernoulli.expMinus(numerator: (high: c2.high, low: c2.low), denominator: acceptanceDenominator, &bits)
            }
            if accept { return y }
        }
    }
}
