/// Exact discrete Laplace noise: P(k) ∝ exp(−|k|/t) on the integers, for a rational scale t = a/b
/// (Canonne, Kamath & Steinke 2020, Algorithm 2). Integer arithmetic only.
///
/// Adding it to an integer query with L1 sensitivity Δ gives ε-DP for t ≥ Δ/ε.
///
/// Outputs are exact draws clamped to ±`saturation` (2⁶²): the clamp is a function of the exact draw, so a
/// caller that clamps `query + noise` to a range at least 2⁶¹ inside the saturation (as the releases do) computes
/// a post-processing of the exact mechanism, and the ε-DP guarantee holds without any δ.
struct DiscreteLaplaceSampler: Sendable {
    /// |draws| are clamped here.
    static let saturation: Int64 = 1 << 62
    /// Scale t = numerator / denominator (grid units).
    let numerator: UInt64
    let denominator: UInt64
    /// Geometric counts V beyond this make ⌊(U + aV)/b⌋ ≥ `saturation`, so the draw is saturated already.
    private let saturatingV: UInt64

    /// - Parameters:
    ///   - numerator: a ≥ 1, below 2⁶³.
    ///   - denominator: b ≥ 1, below 2⁶³. The scale is a/b.
    /// - Throws: `ExactNoiseError.parameterOutOfRange` otherwise.
    init(scaleNumerator a: UInt64, denominator b: UInt64) throws {
        guard a >= 1, b >= 1, a < 1 << 63, b < 1 << 63 else {
            throw ExactNoiseError.parameterOutOfRange("discrete Laplace scale \(a)/\(b) must have both parts in [1, 2⁶³)")
        }
        let g = Self.gcd(a, b)
        numerator = a / g
        denominator = b / g
        // Smallest V with a·V ≥ saturation·b, if it fits in 64 bits.
        let target = UInt64(Self.saturation).multipliedFullWidth(by: denominator)
        if target.high >= numerator {
            saturatingV = .max
        } else {
            let (q, r) = numerator.dividingFullWidth(target)
            saturatingV = r == 0 ? q : q &+ 1
        }
    }

    static func gcd(_ x: UInt64, _ y: UInt64) -> UInt64 {
        var (a, b) = (x, y)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    /// One draw.
    func sample(_ bits: inout RandomBits) -> Int64 {
        let a = numerator, b = denominator
        while true {
            // X = U + a·V is geometric: P(X = x) ∝ exp(−x/a).
            let u = bits.uniform(below: a)
            guard ExactBernoulli.expMinusFraction(u, over: a, &bits) else { continue }
            var v: UInt64 = 0
            while v < saturatingV && ExactBernoulli.expMinusOne(&bits) { v &+= 1 }
            // Y = ⌊X / b⌋: P(Y = y) ∝ exp(−y·b/a), computed in 128 bits and saturated.
            let y: Int64
            if v >= saturatingV {
                y = Self.saturation
            } else {
                let prod = a.multipliedFullWidth(by: v)
                let (low, carry) = prod.low.addingReportingOverflow(u)
                let high = prod.high &+ (carry ? 1 : 0)
                if high >= b {
                    y = Self.saturation
                } else {
                    let q = b.dividingFullWidth((high: high, low: low)).quotient
                    y = q >= UInt64(Self.saturation) ? Self.saturation : Int64(q)
                }
            }
            // A random sign; reject (−, 0) so that 0 is not counted twice.
            let negative = bits.bit()
            if negative && y == 0 { continue }
            return negative ? -y : y
        }
    }
}
