import Foundation

/// Rigorous ε lower bound from **one** training run (Steinke, Nasr & Jagielski 2023, "Privacy
/// auditing with one (1) training run", Theorem 3/5 and Appendix D), our implementation.
///
/// Setting: each of `m` audited examples is put in the training set independently with
/// probability ½. The auditor ranks them by score, guesses "member" for the top `k₊`,
/// "non-member" for the bottom `k₋` and abstains on the rest: `r = k₊ + k₋` guesses, `v` correct.
/// If training is (ε, δ)-DP, then
///
///     P[v ≥ observed] ≤ P[Bin(r, q) ≥ v] + 2mδ · max_{1≤i≤v} P[v − i ≤ Bin(r, q) < v] / i,
///     q = e^ε / (1 + e^ε),
///
/// and the bound is the largest ε whose p-value stays below `1 − confidence` (bisection).
/// Unlike Clopper–Pearson over one run, this does not assume the examples are independent
/// trials: only the coin flips are. Guess counts are tried from a fixed list and the confidence
/// is shared among them (Bonferroni).
public struct OneRunEpsilon: Sendable, Equatable {
    /// The lower bound (≥ 0).
    public var epsilon: Double
    /// Audited examples `m` (members + non-members).
    public var examples: Int
    /// Guesses `r` and correct guesses `v` of the best guess count.
    public var guesses: Int
    public var correctGuesses: Int
    public var delta: Double
    public var confidence: Double
    /// Guess counts the confidence was shared among.
    public var guessCountsTried: Int

    /// Bound from scores.
    /// - Parameters:
    ///   - memberScores, nonMemberScores: higher = more member-like; membership must have been
    ///     decided by independent fair coin flips for the bound to hold.
    ///   - delta: δ ≥ 0 of the (ε, δ) statement.
    ///   - confidence: probability the bound holds.
    ///   - guessCounts: values of `k` (k₊ = k₋ = k) to try; default 1, 2, 5, 10, 20, 50, … up to
    ///     half the examples. Ties at a cut are counted against the auditor.
    /// - Throws: `PrivacyAuditError` for empty or non-finite scores or bad parameters.
    public static func lowerBound(memberScores: [Double], nonMemberScores: [Double], delta: Double,
                                  confidence: Double = 0.95, guessCounts: [Int]? = nil) throws -> OneRunEpsilon {
        try EmpiricalEpsilon.validate(delta: delta, confidence: confidence)
        _ = try ROCCurve(memberScores: memberScores, nonMemberScores: nonMemberScores)   // validates the input
        let m = memberScores.count + nonMemberScores.count
        let all = memberScores.map { ($0, true) } + nonMemberScores.map { ($0, false) }
        // Top cut: descending, non-members first among ties; bottom cut: ascending, members first.
        let top = all.sorted { $0.0 != $1.0 ? $0.0 > $1.0 : (!$0.1 && $1.1) }.map(\.1)
        let bottom = all.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : ($0.1 && !$1.1) }.map(\.1)
        var ks = guessCounts ?? defaultGuessCounts(examples: m)
        ks = ks.filter { $0 >= 1 && 2 * $0 <= m }
        guard !ks.isEmpty else {
            throw PrivacyAuditError.invalidParameter("no usable guess count: each k needs 1 ≤ k ≤ \(m / 2)")
        }
        let p = (1 - confidence) / Double(ks.count)
        var best = OneRunEpsilon(epsilon: 0, examples: m, guesses: 0, correctGuesses: 0, delta: delta,
                                 confidence: confidence, guessCountsTried: ks.count)
        for k in ks {
            let v = top.prefix(k).filter { $0 }.count + bottom.prefix(k).filter { !$0 }.count
            let e = epsilon(examples: m, guesses: 2 * k, correct: v, delta: delta, pValue: p)
            if e > best.epsilon || best.guesses == 0 {
                best.epsilon = max(best.epsilon, e)
                best.guesses = 2 * k
                best.correctGuesses = v
            }
        }
        return best
    }

    /// 1, 2, 5, 10, 20, 50, … ≤ m/2.
    static func defaultGuessCounts(examples m: Int) -> [Int] {
        var out = [Int](), scale = 1
        while true {
            for f in [1, 2, 5] where f * scale * 2 <= m { out.append(f * scale) }
            if 10 * scale * 2 > m { break }
            scale *= 10
        }
        return out
    }

    /// Probability of at least `v` correct out of `r` guesses under (ε, δ)-DP with `m` examples.
    public static func pValue(examples m: Int, guesses r: Int, correct v: Int, epsilon: Double, delta: Double) -> Double {
        precondition(0 <= v && v <= r && r <= m, "one-run audit needs 0 ≤ v ≤ r ≤ m")
        if v == 0 { return 1 }
        let q = 1 / (1 + exp(-epsilon))
        let tail = IncompleteBeta.regularized(x: q, a: Double(v), b: Double(r - v + 1))   // P[Bin(r,q) ≥ v]
        guard delta > 0 else { return min(1, tail) }
        var alpha = 0.0, sum = 0.0
        let logQ = log(q), log1Q = log1p(-q)
        let logR: Double = lgamma(Double(r + 1))
        for i in 1...v {
            let j = v - i
            let logJ: Double = lgamma(Double(j + 1)), logRJ: Double = lgamma(Double(r - j + 1))
            sum += exp(logR - logJ - logRJ + Double(j) * logQ + Double(r - j) * log1Q)
            alpha = max(alpha, sum / Double(i))
        }
        return min(1, tail + alpha * delta * 2 * Double(m))
    }

    /// Largest ε with `pValue < p` (0 if none), by bisection to 1e-9.
    public static func epsilon(examples m: Int, guesses r: Int, correct v: Int, delta: Double, pValue p: Double) -> Double {
        if pValue(examples: m, guesses: r, correct: v, epsilon: 0, delta: delta) >= p { return 0 }
        var lo = 0.0, hi = 1.0
        while pValue(examples: m, guesses: r, correct: v, epsilon: hi, delta: delta) < p {
            lo = hi
            hi *= 2
            if hi > 1e4 { return .infinity }
        }
        while hi - lo > 1e-9 {
            let mid = (lo + hi) / 2
            if pValue(examples: m, guesses: r, correct: v, epsilon: mid, delta: delta) < p { lo = mid } else { hi = mid }
        }
        return lo
    }
}
