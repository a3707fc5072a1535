/// Exact Bernoulli samplers with integer arithmetic only (Canonne, Kamath & Steinke 2020,
/// "The Discrete Gaussian for Differential Privacy", Algorithm 1).
///
/// A probability is a ratio of integers; an event of probability p/q is "a uniform integer in
/// 0..<q is below p". Products of probabilities are conjunctions of independent draws, so no
/// intermediate product is ever formed and nothing can overflow.
enum ExactBernoulli {
    /// Bernoulli(p/q) for 0 ≤ p ≤ q, q ≥ 1.
    static func sample(_ p: UInt64, over q: UInt64, _ bits: inout RandomBits) -> Bool {
        precondition(q > 0 && p <= q, "Bernoulli(p/q) needs 0 ≤ p ≤ q, q > 0")
        if p == q { return true }
        if p == 0 { return false }
        return bits.uniform(below: q) < p
    }

    /// Bernoulli(exp(−p/q)) for 0 ≤ p ≤ q (γ = p/q in [0, 1]): CKS Algorithm 1, first case.
    /// Draw A_k ~ Bernoulli(γ/k) for k = 1, 2, … until one is 0; return whether that k is odd.
    /// P(first failure at odd k) = Σ_k (−γ)^k / k! = e^(−γ). Bernoulli(γ/k) = Bernoulli(γ) ∧ Bernoulli(1/k).
    static func expMinusFraction(_ p: UInt64, over q: UInt64, _ bits: inout RandomBits) -> Bool {
        precondition(q > 0 && p <= q)
        var k: UInt64 = 1
        while true {
            let a = sample(p, over: q, &bits) && sample(1, over: k, &bits)
            if !a { return k & 1 == 1 }
            k &+= 1    // k exceeds 2⁶⁴ only after 2⁶⁴ iterations
        }
    }

    /// Bernoulli(e⁻¹).
    static func expMinusOne(_ bits: inout RandomBits) -> Bool { expMinusFraction(1, over: 1, &bits) }

    /// Bernoulli(exp(−(whole + p/q))) for p < q: `whole` independent Bernoulli(e⁻¹) trials (stopping at the first
    /// failure), then Bernoulli(exp(−p/q)) — CKS Algorithm 1, second case, since e^(−a−b) = e^(−a)·e^(−b).
    static func expMinus(whole: UInt64, fraction p: UInt64, over q: UInt64, _ bits: inout RandomBits) -> Bool {
        var i: UInt64 = 0
        while i < whole {
            if !expMinusOne(&bits) { return false }
            i &+= 1
        }
        return expMinusFraction(p, over: q, &bits)
    }

    /// Bernoulli(exp(−N/D)) for a 128-bit numerator N = (high, low) and a 64-bit D ≥ 1.
    ///
    /// When ⌊N/D⌋ does not fit in 64 bits, γ > 2⁶⁴: the draw runs up to 2³² Bernoulli(e⁻¹) trials, and the
    /// probability that all of them succeed is below exp(−2³²); only then does it throw
    /// `ExactNoiseError.unrepresentableDraw` (no value is released).
    static func expMinus(numerator n: (high: UInt64, low: UInt64), denominator d: UInt64,
                         _ bits: inout RandomBits) throws -> Bool {
        precondition(d > 0)
        if n.high >= d {
            for _ in 0..<(UInt64(1) << 32) where !expMinusOne(&bits) { return false }
            throw ExactNoiseError.unrepresentableDraw
        }
        let (whole, rest) = d.dividingFullWidth((high: n.high, low: n.low))
        return expMinus(whole: whole, fraction: rest, over: d, &bits)
    }
}
