import Foundation

extension SubsampledGaussianRDP {
    /// A_α − 1 for fractional α by trapezoidal quadrature of a non-negative integrand, for the
    /// regime where A_α is within ~1e-5 of 1 (tiny q, large σ) and summing the series for A_α
    /// itself would leave only ~1e-16/(A_α − 1) relative precision in log A_α.
    ///
    /// With u(z) = q·(e^{(2z−1)/(2σ²)} − 1) and z ∼ μ₀ = N(0, σ²), E[u] = 0, hence
    /// `A_α − 1 = E[(1+u)^α − 1 − αu]`, whose integrand is ≥ 0 (convexity, α > 1): no cancellation.
    /// The integrand is analytic in the strip |Im z| < πσ², so the trapezoid rule with step
    /// h ≤ min(σ/3, π²σ²/20) has relative error below e⁻⁴⁰ (Trefethen & Weideman 2014);
    /// the range [−1 − 14σ, α + 1 + 14σ] leaves out less than e⁻⁹⁸ of the Gaussian mass.
    ///
    /// Returns nil where the grid would need more than `maximumPoints` points or is not finite
    /// (σ ≪ 1, where the quadrature regime does not arise with meaningful parameters); the
    /// caller then falls back to a provable upper bound.
    static func aMinusOneByQuadrature(q: Double, sigma: Double, alpha: Double) -> Double? {
        let h = min(sigma / 3, Double.pi * Double.pi * sigma * sigma / 20)
        let lo = -1 - 14 * sigma, hi = alpha + 1 + 14 * sigma
        guard h > 0, let n = CheckedConversion.int(((hi - lo) / h).rounded(.up)),
              n >= 0, n <= quadratureMaximumPoints else { return nil }
        let inv2s2 = 1 / (2 * sigma * sigma)
        let logNorm = -Foundation.log(sigma * (2 * Double.pi).squareRoot())
        // Gaussian weights and e^{(2z−1)/(2σ²)} by multiplicative recurrences along the grid
        // (relative drift ≤ n·1e-16 ≈ 1e-13 over ≤ 10³ points). u is recomputed with expm1 near
        // z = ½ where e^{…} − 1 would cancel.
        var weight = Foundation.exp(logNorm - lo * lo * inv2s2)
        var ratio = Foundation.exp(-(2 * lo * h + h * h) * inv2s2)
        let ratioStep = Foundation.exp(-2 * h * h * inv2s2)
        var growth = Foundation.exp((2 * lo - 1) * inv2s2)
        let growthStep = Foundation.exp(2 * h * inv2s2)
        var sum = 0.0
        for k in 0...n {
            let z = lo + Double(k) * h
            if weight > 1e-250, growth > 1e-250, growth < 1e250 {
                let u = abs(z - 0.5) < 0.5 ? q * Foundation.expm1((2 * z - 1) * inv2s2) : q * (growth - 1)
                let f = convexRemainder(u: u, alpha: alpha)
                if f > 0, f < 1e250 { sum += f * weight } else if f >= 1e250 {
                    sum += Foundation.exp(Foundation.log(f) + logNorm - z * z * inv2s2)
                }
            } else {
                // Extreme parameters (σ ≪ 1 or astronomically small q): evaluate this point in
                // log space and restart the recurrences from it.
                let u = q * Foundation.expm1((2 * z - 1) * inv2s2)
                let f = convexRemainder(u: u, alpha: alpha)
                if f > 0 { sum += Foundation.exp(Foundation.log(f) + logNorm - z * z * inv2s2) }
                weight = Foundation.exp(logNorm - z * z * inv2s2)
                ratio = Foundation.exp(-(2 * z * h + h * h) * inv2s2)
                growth = Foundation.exp((2 * z - 1) * inv2s2)
            }
            weight *= ratio
            ratio *= ratioStep
            growth *= growthStep
        }
        return sum * h
    }

    /// Largest quadrature grid (points) `aMinusOneByQuadrature` evaluates. Typical grids have ≤ 10³
    /// points (σ ≥ 0.3: ≤ 500); 2·10⁴ is reached only for σ ≲ 0.05 combined with an astronomically
    /// small q, where the monotonicity bound is used instead (an upper bound, so never optimistic).
    static let quadratureMaximumPoints = 20_000

    /// (1+u)^α − 1 − αu for u > −1, accurate also for small |u| (binomial series).
    @inline(__always)
    static func convexRemainder(u: Double, alpha: Double) -> Double {
        if abs(u) < 0.1 {
            // Σ_{k≥2} C(α,k) u^k; |terms| shrink by ≥ ~0.1·|α−k|/(k+1) per step.
            var term = alpha * (alpha - 1) / 2 * u * u
            var s = term
            var k = 2.0
            while k < 40 {
                term *= (alpha - k) / (k + 1) * u
                s += term
                if abs(term) < 1e-18 * abs(s) { break }
                k += 1
            }
            return s
        }
        return Foundation.exp(alpha * Foundation.log1p(u)) - 1 - alpha * u
    }
}
