import Foundation

/// Standard deviations and 95% half-widths of the discrete noise distributions, for reports.
///
/// These use floating point, but only to *describe* a distribution whose parameters are public; no
/// value computed here is added to data.
enum DiscreteNoiseStatistics {
    /// Discrete Laplace P(k) ∝ q^|k|, q = exp(−b/a) (scale a/b): std √(2q)/(1 − q).
    static func laplaceStandardDeviation(scaleNumerator a: UInt64, denominator b: UInt64) -> Double {
        let x = Double(b) / Double(a)
        let q = Foundation.exp(-x), oneMinusQ = -Foundation.expm1(-x)
        return (2 * q).squareRoot() / oneMinusQ
    }

    /// Discrete Laplace: the smallest k ≥ 0 with P(|X| > k) = 2q^(k+1)/(1 + q) ≤ 0.05.
    static func laplaceHalfWidth95(scaleNumerator a: UInt64, denominator b: UInt64) -> Int64 {
        let x = Double(b) / Double(a)                     // −log q
        let q = Foundation.exp(-x)
        func tail(_ k: Double) -> Double { 2 * Foundation.exp(-x * (k + 1)) / (1 + q) }
        var k = max(0, (-Foundation.log(0.025 * (1 + q)) / x - 1).rounded(.up) - 1)
        while k > 0 && tail(k - 1) <= 0.05 { k -= 1 }
        while tail(k) > 0.05 { k += 1 }
        return Int64(min(k, 0x1p62))
    }

    /// Discrete Gaussian N_Z(0, σ²): its exact standard deviation (by summation for σ < 64; beyond, it equals σ to
    /// double precision, since Var = σ²·(1 − O(σ²e^(−2π²σ²)))).
    static func gaussianStandardDeviation(sigma2: Double) -> Double {
        let sigma = sigma2.squareRoot()
        guard sigma < 64 else { return sigma }
        let (mass, second) = gaussianSums(sigma2: sigma2)
        return (second / mass).squareRoot()
    }

    /// Discrete Gaussian: the smallest k ≥ 0 with P(|Y| > k) ≤ 0.05 (by summation for σ < 64; beyond, from the
    /// upper bound P(Y ≥ m) ≤ Q(m/σ) + φ(m/σ)/σ, which can only widen the interval).
    static func gaussianHalfWidth95(sigma2: Double) -> Int64 {
        let sigma = sigma2.squareRoot()
        if sigma < 64 {
            let limit = Int(40 * sigma) + 2
            var total = 0.0
            var weights = [Double](repeating: 0, count: limit + 1)
            for k in 0...limit {
                weights[k] = Foundation.exp(-Double(k * k) / (2 * sigma2))
                total += k == 0 ? weights[k] : 2 * weights[k]
            }
            var inside = weights[0]
            var k = 0
            while k < limit && 1 - inside / total > 0.05 { k += 1; inside += 2 * weights[k] }
            return Int64(k)
        }
        func upperTail(_ m: Double) -> Double {
            let z = m / sigma
            return 0.5 * Foundation.erfc(z / 2.0.squareRoot()) + Foundation.exp(-z * z / 2) / (sigma * (2 * Double.pi).squareRoot())
        }
        var k = (1.9 * sigma).rounded(.down)
        while 2 * upperTail(k + 1) > 0.05 { k += 1 }
        return Int64(k)
    }

    /// (Σ exp(−k²/2σ²), Σ k²·exp(−k²/2σ²)) over |k| ≤ 40σ + 2.
    private static func gaussianSums(sigma2: Double) -> (Double, Double) {
        let limit = Int(40 * sigma2.squareRoot()) + 2
        var mass = 1.0, second = 0.0
        for k in stride(from: limit, through: 1, by: -1) {
            let w = Foundation.exp(-Double(k * k) / (2 * sigma2))
            mass += 2 * w
            second += 2 * Double(k * k) * w
        }
        return (mass, second)
    }
}
