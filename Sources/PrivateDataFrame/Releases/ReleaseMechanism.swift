import Foundation

/// The noise mechanism of a DP release. Both are exact discrete mechanisms on the release's grid
/// (integer arithmetic only; no floating-point noise reaches an output).
public enum ReleaseMechanism: Sendable, Equatable, Hashable {
    /// The discrete Laplace mechanism (Canonne, Kamath & Steinke 2020): P(k) ∝ exp(−|k|/t) on grid units, with
    /// t = Δ₁/ε rounded **up** to a rational (ε rounded down to 20 significant bits). Pure ε-DP, δ = 0.
    case laplace
    /// The discrete Gaussian mechanism N_Z(0, σ²) on grid units (CKS 2020), (ε, δ)-DP.
    ///
    /// Accounting: the discrete Gaussian with L2 sensitivity Δ₂ is ρ-zCDP with ρ = Δ₂²/(2σ²), like the continuous
    /// one (CKS 2020, multivariate discrete Gaussian theorem); ρ-zCDP implies (ε, δ)-DP with
    /// δ = inf_{α>1} exp((α−1)(αρ−ε)) · (1−1/α)^α / (α−1) (CKS 2020's conversion: bound E[max(0, 1 − e^(ε−L))] by
    /// the Rényi moment E[e^((α−1)L)] ≤ e^((α−1)αρ) and max_{w≥0} (1−e^(−w))e^(−(α−1)w) = (1−1/α)^α/(α−1)).
    /// σ² is the smallest value meeting δ, rounded **up** to a rational. Slightly more noise than the analytic
    /// continuous Gaussian (about 8–9% in σ at ε ∈ [0.5, 2], δ ∈ [1e-6, 1e-5]; the exact δ of the discrete
    /// distribution is then about a quarter of the target), in exchange for a bound proven for the discrete
    /// distribution.
    case gaussian(delta: Double)

    public var name: String {
        switch self {
        case .laplace: return "discrete laplace"
        case .gaussian: return "discrete gaussian"
        }
    }

    var delta: Double {
        if case let .gaussian(d) = self { return d }
        return 0
    }

    /// The mechanism with half the δ, for releases that spend half their budget on each of two noisy statistics.
    var halved: ReleaseMechanism {
        if case let .gaussian(d) = self { return .gaussian(delta: d / 2) }
        return self
    }

    /// The exact sampler for integer sensitivities (grid units) at ε.
    /// - Parameters:
    ///   - l1: L1 sensitivity in grid units (Laplace).
    ///   - l2Squared: squared L2 sensitivity in grid units² (Gaussian).
    /// - Throws: `ExactNoiseError.parameterOutOfRange` when the scale does not fit the exact integer samplers.
    func calibrate(l1: UInt64, l2Squared: UInt64, epsilon: Double) throws -> CalibratedNoise {
        switch self {
        case .laplace:
            let (a, b) = try Self.laplaceScale(l1: max(l1, 1), epsilon: epsilon)
            let sampler = try DiscreteLaplaceSampler(scaleNumerator: a, denominator: b)
            return CalibratedNoise(kind: .laplace(sampler),
                                   stdUnits: DiscreteNoiseStatistics.laplaceStandardDeviation(scaleNumerator: sampler.numerator, denominator: sampler.denominator),
                                   halfWidth95Units: DiscreteNoiseStatistics.laplaceHalfWidth95(scaleNumerator: sampler.numerator, denominator: sampler.denominator),
                                   parameters: "scale \(sampler.numerator)/\(sampler.denominator) grid units")
        case let .gaussian(delta):
            let sampler = try Self.gaussianSampler(l2Squared: max(l2Squared, 1), epsilon: epsilon, delta: delta)
            let sigma2 = Double(sampler.varianceNumerator) / Double(sampler.varianceDenominator)
            return CalibratedNoise(kind: .gaussian(sampler),
                                   stdUnits: DiscreteNoiseStatistics.gaussianStandardDeviation(sigma2: sigma2),
                                   halfWidth95Units: DiscreteNoiseStatistics.gaussianHalfWidth95(sigma2: sigma2),
                                   parameters: "σ² = \(sampler.varianceNumerator)/\(sampler.varianceDenominator) grid units², zCDP ρ = \(Double(max(l2Squared, 1)) / (2 * sigma2))")
        }
    }

    /// Discrete Laplace scale a/b ≥ Δ₁/ε: ε is rounded down to ε' = m/2ʲ with m of about 20 bits (never below
    /// 10 bits), and the scale is Δ₁·2ʲ/m, so the mechanism is ε'-DP and ε' ≤ ε.
    static func laplaceScale(l1: UInt64, epsilon: Double) throws -> (UInt64, UInt64) {
        guard epsilon.isFinite, epsilon > 0 else { throw ExactNoiseError.parameterOutOfRange("ε must be positive") }
        guard l1 < 1 << 40 else { throw ExactNoiseError.parameterOutOfRange("sensitivity \(l1) grid units exceeds 2⁴⁰: declare a coarser granularity") }
        let bitsOfL1 = UInt64.bitWidth - l1.leadingZeroBitCount
        let j = max(0, min(20 - Int(epsilon.exponent), 62 - bitsOfL1))
        let scaled = (epsilon * Double(sign: .plus, exponent: j, significand: 1)).rounded(.down)
        guard scaled >= 1024 else {
            throw ExactNoiseError.parameterOutOfRange("ε = \(epsilon) is too small for sensitivity \(l1) grid units: declare a coarser granularity")
        }
        guard scaled < 0x1p62 else { throw ExactNoiseError.parameterOutOfRange("ε = \(epsilon) is too large") }
        return (l1 << UInt64(j), UInt64(scaled))
    }

    /// The discrete Gaussian with the smallest σ² (rounded up to n/2ᵏ) whose zCDP bound gives δ at ε.
    static func gaussianSampler(l2Squared: UInt64, epsilon: Double, delta: Double) throws -> DiscreteGaussianSampler {
        let rho = maximalRho(epsilon: epsilon, delta: delta)
        guard rho > 0 else { throw ExactNoiseError.parameterOutOfRange("no Gaussian noise meets ε = \(epsilon), δ = \(delta)") }
        let sigma2 = Double(l2Squared) / (2 * rho) * (1 + 1e-12)      // margin for the rounding of the division
        guard sigma2.isFinite, sigma2 < 0x1p40 else {
            throw ExactNoiseError.parameterOutOfRange("discrete Gaussian σ² = \(sigma2) grid units² is too large: declare a coarser granularity")
        }
        var lastError: Error = ExactNoiseError.parameterOutOfRange("σ² = \(sigma2)")
        for k in stride(from: 30, through: 0, by: -1) {
            let scaled = (sigma2 * Double(sign: .plus, exponent: k, significand: 1)).rounded(.up)
            guard scaled < 0x1p63 else { continue }
            do { return try DiscreteGaussianSampler(varianceNumerator: UInt64(scaled), denominator: UInt64(1) << UInt64(k)) }
            catch { lastError = error }
        }
        throw lastError
    }

    /// δ of a ρ-zCDP mechanism at ε: min over orders α of exp((α−1)(αρ−ε)) · (1−1/α)^α / (α−1), by a log-spaced
    /// scan of 1 + 10ˣ, x ∈ [−4, 6], refined by golden-section search around the best point. Every α gives a valid
    /// upper bound, so a missed minimum can only overstate δ.
    static func zcdpDelta(rho: Double, epsilon: Double) -> Double {
        func logDelta(_ x: Double) -> Double {
            let alpha = 1 + Foundation.pow(10, x)
            return (alpha - 1) * (alpha * rho - epsilon) + alpha * Foundation.log1p(-1 / alpha) - Foundation.log(alpha - 1)
        }
        var bestX = -4.0, best = logDelta(bestX)
        for i in 1...200 {
            let x = -4 + Double(i) * 0.05
            let v = logDelta(x)
            if v < best { best = v; bestX = x }
        }
        var lo = bestX - 0.05, hi = bestX + 0.05
        let r = (5.0.squareRoot() - 1) / 2
        for _ in 0..<40 {
            let a = hi - r * (hi - lo), b = lo + r * (hi - lo)
            if logDelta(a) < logDelta(b) { hi = b } else { lo = a }
        }
        best = min(best, logDelta((lo + hi) / 2))
        return min(1, Foundation.exp(best))
    }

    /// The largest ρ (to relative precision 1e-9, rounded down) with zcdpDelta(ρ, ε) ≤ δ.
    static func maximalRho(epsilon: Double, delta: Double) -> Double {
        var lo = 0.0, hi = max(epsilon, 1e-12)
        while zcdpDelta(rho: hi, epsilon: epsilon) <= delta && hi < 1e12 { lo = hi; hi *= 2 }
        for _ in 0..<100 where hi - lo > 1e-9 * hi {
            let mid = (lo + hi) / 2
            if zcdpDelta(rho: mid, epsilon: epsilon) <= delta { lo = mid } else { hi = mid }
        }
        return lo
    }
}

/// An exact discrete noise sampler with its reported statistics (in grid units).
struct CalibratedNoise: Sendable {
    enum Kind: Sendable { case laplace(DiscreteLaplaceSampler), gaussian(DiscreteGaussianSampler) }
    let kind: Kind
    /// Exact standard deviation of the discrete distribution.
    let stdUnits: Double
    /// Smallest k with P(|noise| > k) ≤ 0.05, from the discrete distribution.
    let halfWidth95Units: Int64
    /// The rational parameters, for the report.
    let parameters: String

    /// |query| is clamped here before noise is added, and |query + noise| after: with draws saturated at
    /// 2⁶² this is a post-processing of the exact mechanism (see `DiscreteLaplaceSampler`).
    static let queryLimit: Int64 = 1 << 60
    static let outputLimit: Int64 = 1 << 61

    /// query + exact noise, both in grid units.
    func noisy(_ query: Int64, _ bits: inout RandomBits) throws -> Int64 {
        let z: Int64
        switch kind {
        case let .laplace(s): z = s.sample(&bits)
        case let .gaussian(s): z = try s.sample(&bits)
        }
        let q = min(max(query, -Self.queryLimit), Self.queryLimit)
        return min(max(q + z, -Self.outputLimit), Self.outputLimit)
    }
}
