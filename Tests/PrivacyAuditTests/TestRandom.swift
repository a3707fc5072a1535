import Foundation
import PrivateLearning

/// Seeded draws for the statistical tests.
struct TestRandom {
    let source: SeededRandomSource
    init(seed: UInt64) { source = SeededRandomSource(seed: seed) }

    /// Uniform in [0, 1).
    func uniform() -> Double { Double(source.next() >> 11) / 9007199254740992.0 }

    /// Standard normal (Box–Muller).
    func normal() -> Double {
        let u1 = max(uniform(), 1e-300), u2 = uniform()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// Φ, the standard normal CDF.
func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

/// The exact ε(δ) of the μ-GDP Gaussian test N(0,1) vs N(μ,1) (Dong, Roth & Su 2019):
/// δ(ε) = Φ(−ε/μ + μ/2) − e^ε Φ(−ε/μ − μ/2), decreasing in ε; solved by bisection.
func gaussianEpsilon(mu: Double, delta: Double) -> Double {
    func deltaOf(_ eps: Double) -> Double { normalCDF(-eps / mu + mu / 2) - exp(eps) * normalCDF(-eps / mu - mu / 2) }
    var lo = 0.0, hi = 100.0
    if deltaOf(0) <= delta { return 0 }
    for _ in 0..<200 {
        let mid = (lo + hi) / 2
        if deltaOf(mid) > delta { lo = mid } else { hi = mid }
    }
    return hi
}
