import Foundation
import Testing
@testable import PrivateDataFrame

/// χ² goodness of fit: observed counts against an analytic PMF, with tail bins merged until every expected
/// count is at least 5.
struct ChiSquare {
    let statistic: Double
    let degreesOfFreedom: Int

    /// - Parameters:
    ///   - draws: the samples.
    ///   - pmf: P(k) for every k (the analytic distribution).
    ///   - range: the central support to bin individually; everything outside goes to two tail bins.
    init(draws: [Int64], pmf: (Int64) -> Double, range: ClosedRange<Int64>) {
        let n = Double(draws.count)
        var observed: [Int64: Int] = [:]
        for d in draws { observed[min(max(d, range.lowerBound - 1), range.upperBound + 1), default: 0] += 1 }
        // Bins: (−∞, lo−1], lo…hi individually, [hi+1, ∞); tails' probabilities by complement.
        var probs: [Double] = [], counts: [Double] = []
        var central = 0.0
        for k in range { let p = pmf(k); central += p; probs.append(p); counts.append(Double(observed[k] ?? 0)) }
        var lowTail = 0.0
        var k = range.lowerBound - 1
        while true { let p = pmf(k); lowTail += p; if p < 1e-18 { break }; k -= 1 }
        let highTail = max(0, 1 - central - lowTail)
        probs.insert(lowTail, at: 0); counts.insert(Double(observed[range.lowerBound - 1] ?? 0), at: 0)
        probs.append(highTail); counts.append(Double(observed[range.upperBound + 1] ?? 0))
        // Merge small bins into their inner neighbours, from both ends.
        func merge(_ p: inout [Double], _ c: inout [Double]) {
            while p.count > 2 && p[0] * n < 5 { p[1] += p[0]; c[1] += c[0]; p.removeFirst(); c.removeFirst() }
            while p.count > 2 && p[p.count - 1] * n < 5 {
                p[p.count - 2] += p[p.count - 1]; c[c.count - 2] += c[c.count - 1]; p.removeLast(); c.removeLast()
            }
        }
        merge(&probs, &counts)
        statistic = zip(probs, counts).map { p, c in (c - n * p) * (c - n * p) / (n * p) }.reduce(0, +)
        degreesOfFreedom = probs.count - 1          // no parameter is fitted
    }

    /// Upper 0.1% point of χ²(df) (Wilson–Hilferty, accurate to about 1% for df ≥ 3): z = 3.0902.
    var criticalValue001: Double {
        let d = Double(degreesOfFreedom), z = 3.090232306167813
        let c = 1 - 2 / (9 * d) + z * (2 / (9 * d)).squareRoot()
        return d * c * c * c
    }
}

@Suite("Exact discrete noise samplers")
struct ExactNoiseTests {
    /// Bernoulli(exp(−γ)) for rational γ: frequency within 5 binomial standard deviations √(p(1−p)/n).
    @Test(arguments: [(UInt64(3), UInt64(10)), (1, 1), (5, 2), (0, 1), (7, 3)])
    func bernoulliExpMinusGammaHasTheRightFrequency(p: UInt64, q: UInt64) {
        var bits = RandomBits(.seeded(p &* 31 &+ q))
        let n = 40_000
        var hits = 0
        for _ in 0..<n {
            let whole = p / q, rest = p % q
            if ExactBernoulli.expMinus(whole: whole, fraction: rest, over: q, &bits) { hits += 1 }
        }
        let expected = Foundation.exp(-Double(p) / Double(q))
        let tolerance = 5 * (expected * (1 - expected) / Double(n)).squareRoot() + 1e-12
        #expect(abs(Double(hits) / Double(n) - expected) <= tolerance, "γ = \(p)/\(q): \(Double(hits) / Double(n)) vs \(expected)")
    }

    @Test func uniformIntegersHaveNoModuloBias() {
        // Bound 3·2⁶²: a modulo reduction of 64 bits would give 0..<2⁶² probability 2/4 instead of 1/3.
        var bits = RandomBits(.seeded(9))
        let bound: UInt64 = 3 << 62, n = 30_000
        var low = 0
        for _ in 0..<n where bits.uniform(below: bound) < 1 << 62 { low += 1 }
        #expect(abs(Double(low) / Double(n) - 1.0 / 3) < 5 * (2.0 / 9 / Double(n)).squareRoot())
        #expect((0..<1000).allSatisfy { _ in bits.uniform(below: 7) < 7 })
    }

    /// χ² of 40,000 draws against P(k) = (1 − q)/(1 + q)·q^|k|, q = exp(−b/a), at the 0.1% level (fixed seeds,
    /// so the outcome is deterministic; a wrong sampler, e.g. scale off by 5%, fails by a wide margin).
    @Test(arguments: [(UInt64(3), UInt64(2)), (10, 1), (1, 4), (1_000_003, 250_000)])
    func discreteLaplaceMatchesItsPMF(a: UInt64, b: UInt64) throws {
        let sampler = try DiscreteLaplaceSampler(scaleNumerator: a, denominator: b)
        var bits = RandomBits(.seeded(a ^ (b << 20)))
        let draws = (0..<40_000).map { _ in sampler.sample(&bits) }
        let x = Double(b) / Double(a), q = Foundation.exp(-x)
        let pmf = { (k: Int64) in (1 - q) / (1 + q) * Foundation.exp(-x * Double(k.magnitude)) }
        let half = Int64((Double(a) / Double(b) * 6).rounded(.up))
        let chi = ChiSquare(draws: draws, pmf: pmf, range: -half...half)
        #expect(chi.degreesOfFreedom >= 3)
        #expect(chi.statistic < chi.criticalValue001, "χ² = \(chi.statistic), df = \(chi.degreesOfFreedom)")
        // A distribution with a 10% larger scale is rejected by the same test (the test has power).
        let y = x / 1.1, q2 = Foundation.exp(-y)
        let wrong = ChiSquare(draws: draws, pmf: { (1 - q2) / (1 + q2) * Foundation.exp(-y * Double($0.magnitude)) }, range: -half...half)
        if a / b >= 1 { #expect(wrong.statistic > wrong.criticalValue001) }
    }

    /// χ² of 40,000 draws against P(k) ∝ exp(−k²/2σ²) (normaliser by summation), at the 0.1% level.
    @Test(arguments: [(UInt64(7), UInt64(2)), (1, 3), (400, 1), (1_000_001, 1000)])
    func discreteGaussianMatchesItsPMF(n: UInt64, d: UInt64) throws {
        let sampler = try DiscreteGaussianSampler(varianceNumerator: n, denominator: d)
        var bits = RandomBits(.seeded(n &+ d))
        let draws = try (0..<40_000).map { _ in try sampler.sample(&bits) }
        let sigma2 = Double(n) / Double(d)
        let limit = Int64(40 * sigma2.squareRoot()) + 2
        var z = 0.0
        for k in -limit...limit { z += Foundation.exp(-Double(k * k) / (2 * sigma2)) }
        let pmf = { (k: Int64) in Foundation.exp(-Double(k) * Double(k) / (2 * sigma2)) / z }
        let half = Int64((4 * sigma2.squareRoot()).rounded(.up))
        let chi = ChiSquare(draws: draws, pmf: pmf, range: -half...half)
        #expect(chi.degreesOfFreedom >= 2)
        #expect(chi.statistic < chi.criticalValue001, "χ² = \(chi.statistic), df = \(chi.degreesOfFreedom)")
        // The reported std is the discrete distribution's.
        let mean = draws.reduce(0.0) { $0 + Double($1) } / Double(draws.count)
        let variance = draws.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(draws.count - 1)
        let std = DiscreteNoiseStatistics.gaussianStandardDeviation(sigma2: sigma2)
        // Var(s²)/σ⁴ ≈ (κ − 1)/n with kurtosis κ ≤ 4 for these σ² (3 for large σ): 5 sd.
        #expect(abs(variance / (std * std) - 1) < 5 * (3.0 / 40_000).squareRoot())
    }

    @Test func absurdParametersAreRefusedWithTypedErrors() {
        #expect(throws: ExactNoiseError.self) { try DiscreteLaplaceSampler(scaleNumerator: 0, denominator: 1) }
        #expect(throws: ExactNoiseError.self) { try DiscreteLaplaceSampler(scaleNumerator: 1 << 63, denominator: 1) }
        #expect(throws: ExactNoiseError.self) { try DiscreteGaussianSampler(varianceNumerator: 0, denominator: 1) }
        #expect(throws: ExactNoiseError.self) { try DiscreteGaussianSampler(varianceNumerator: 1 << 40, denominator: 1) }
        #expect(throws: ExactNoiseError.self) { try ReleaseMechanism.laplaceScale(l1: 1 << 30, epsilon: 1e-12) }
        #expect(throws: DataFrameError.self) { try ReleaseGrid(granularity: 3) }
        #expect(throws: DataFrameError.self) { try ReleaseGrid(granularity: -0.5) }
        #expect(throws: DataFrameError.self) { try ReleaseGrid(granularity: .nan) }
        #expect((try? ReleaseGrid(granularity: 0.25))?.exponent == -2)
    }

    /// The Laplace scale is Δ/ε rounded up (never down) and the Gaussian σ² meets δ by the zCDP bound.
    @Test(arguments: [0.1, 1.0, 0.37, 3.0, 1e-4])
    func calibrationRoundsTheNoiseUp(epsilon: Double) throws {
        for l1: UInt64 in [1, 3, 1 << 20] {
            let (a, b) = try ReleaseMechanism.laplaceScale(l1: l1, epsilon: epsilon)
            let scale = Double(a) / Double(b)
            #expect(scale >= Double(l1) / epsilon && scale <= Double(l1) / epsilon * (1 + 1e-5))
        }
        let delta = 1e-6
        let rho = ReleaseMechanism.maximalRho(epsilon: epsilon, delta: delta)
        #expect(ReleaseMechanism.zcdpDelta(rho: rho, epsilon: epsilon) <= delta)
        #expect(ReleaseMechanism.zcdpDelta(rho: rho * 1.001, epsilon: epsilon) > delta)
        // Classic conversion ε = ρ + 2√(ρ ln(1/δ)) is never better than the one used.
        let classic = Foundation.pow((Foundation.log(1 / delta) + epsilon).squareRoot() - Foundation.log(1 / delta).squareRoot(), 2)
        #expect(rho >= classic * (1 - 1e-9))
        if epsilon >= 0.1 {
            let s = try ReleaseMechanism.gaussianSampler(l2Squared: 1, epsilon: epsilon, delta: delta)
            #expect(Double(s.varianceNumerator) / Double(s.varianceDenominator) >= 1 / (2 * rho))
        }
    }

    /// The zCDP-calibrated discrete Gaussian meets its δ exactly: the hockey-stick divergence
    /// δ(ε) = Σ_y max(0, P(y) − e^ε·P(y − Δ)) between N_Z(0, σ²) and its shift by the sensitivity, summed directly
    /// over the discrete PMF (an independent computation of the true δ), stays below the target.
    @Test(arguments: [(0.5, 1e-5, UInt64(1)), (1.0, 1e-5, 1), (2.0, 1e-6, 1), (1.0, 1e-5, 3)])
    func discreteGaussianMeetsItsDeltaExactly(epsilon: Double, delta: Double, sensitivity: UInt64) throws {
        let s = try ReleaseMechanism.gaussianSampler(l2Squared: sensitivity * sensitivity, epsilon: epsilon, delta: delta)
        let sigma2 = Double(s.varianceNumerator) / Double(s.varianceDenominator)
        let limit = Int(60 * sigma2.squareRoot()) + 10
        var weights: [Double] = []
        for k in -limit...limit { weights.append(Foundation.exp(-Double(k * k) / (2 * sigma2))) }
        let z = weights.reduce(0, +)
        let shift = Int(sensitivity)
        var exact = 0.0
        for i in shift..<weights.count { exact += max(0, weights[i] / z - Foundation.exp(epsilon) * weights[i - shift] / z) }
        #expect(exact <= delta, "exact δ \(exact) > \(delta) at σ² = \(sigma2)")
        // And the calibration is not absurdly loose: the exact δ is within a factor 1000 of the target.
        #expect(exact >= delta / 1000, "exact δ \(exact) ≪ \(delta): σ² = \(sigma2) is far too large")
    }

    @Test func integerSquareRootIsExact() {
        for x: UInt64 in [0, 1, 2, 3, 4, 15, 16, 17, 1 << 40, (1 << 40) - 1, UInt64.max] {
            let r = DiscreteGaussianSampler.integerSquareRoot(x)
            #expect(r.multipliedFullWidth(by: r).high == 0 && r * r <= x)
            let r1 = r + 1, sq = r1.multipliedFullWidth(by: r1)
            #expect(sq.high > 0 || sq.low > x)
        }
    }
}
