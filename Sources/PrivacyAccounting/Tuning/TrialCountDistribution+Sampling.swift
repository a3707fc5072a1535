import Foundation

extension TrialCountDistribution {
    /// Draws K with the generator given (pass the secure generator: K is part of the mechanism).
    ///
    /// Inversion of the CDF with a uniform U of 53 random bits: K is the smallest k with
    /// `Σ_{j ≤ k} P[K = j] > U`, the probabilities computed in log space from the closed form and
    /// summed in Double, so each P[K = k] is reproduced to within about 1e-15 (the rounding of the
    /// running sum and the 2⁻⁵³ grid of U), far below any effect on the accounting. The loop ends once
    /// the remaining mass is below 2⁻⁶⁰ (then U, which is at most 1 − 2⁻⁵³, has been passed), and at
    /// the latest after `maximumDraw` values; it never allocates.
    public func sample<G: RandomNumberGenerator>(using generator: inout G) -> Int {
        let u = Double(generator.next() >> 11) * 0x1p-53
        var cumulative = 0.0
        var k = minimum
        let cap = maximumDraw
        while k < cap {
            cumulative += probability(k)
            if cumulative > u { return k }
            k += 1
        }
        return cap
    }

    /// A value beyond which the tail mass is below 2⁻⁶⁰ (an upper bound on what `sample` returns).
    ///
    /// The ratio of successive probabilities is `r_k = (1−γ)(k+η)/(k+1)` (truncated negative binomial, monotone
    /// towards 1−γ) or `μ/(k+1)` (Poisson, decreasing); with `r = max(r_k, 1−γ)` (resp. `r_k`) < 1 the tail after
    /// k is at most `P[K = k+1]/(1 − r)`.
    public var maximumDraw: Int {
        var k = max(minimum, Int(mean.rounded(.up)))
        let limit = 10_000_000
        while k < limit {
            let r: Double
            switch self {
            case .truncatedNegativeBinomial(let eta, let gamma):
                r = max((1 - gamma) * (Double(k) + eta) / Double(k + 1), 1 - gamma)
            case .poisson(let mu):
                r = mu / Double(k + 1)
            }
            if r < 1, probability(k + 1) / (1 - r) < 0x1p-60 { return k + 1 }
            k += 1
        }
        return limit
    }

    /// The q-quantile of K (smallest k with P[K ≤ k] ≥ q), for plans (“95 % of searches run at most … trials”).
    public func quantile(_ q: Double) -> Int {
        var cumulative = 0.0
        var k = minimum
        let cap = maximumDraw
        while k < cap {
            cumulative += probability(k)
            if cumulative >= q { return k }
            k += 1
        }
        return cap
    }
}
