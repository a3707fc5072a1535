import Foundation

/// Exact (Clopper–Pearson) confidence bounds for a binomial proportion.
///
/// For `k` successes in `n` trials the one-sided upper bound at level `1 − α` is the
/// `1 − α` quantile of Beta(k + 1, n − k) (1 when k = n); the lower bound is the `α`
/// quantile of Beta(k, n − k + 1) (0 when k = 0). Each bound holds with probability at least
/// `1 − α` whatever the true proportion (conservative: the coverage is never below nominal).
/// Closed forms used as checks: `upper(0, n) = 1 − α^{1/n}`, `lower(n, n) = α^{1/n}`.
public enum ClopperPearson {
    /// One-sided upper bound on the proportion, failing with probability at most `alpha`.
    /// - Parameters:
    ///   - successes: k, 0 ≤ k ≤ n.
    ///   - trials: n ≥ 1.
    ///   - alpha: the allowed failure probability, in (0, 1).
    public static func upperBound(successes k: Int, trials n: Int, alpha: Double) -> Double {
        precondition(n >= 1 && k >= 0 && k <= n, "Clopper–Pearson needs 0 ≤ k ≤ n, n ≥ 1")
        precondition(alpha > 0 && alpha < 1, "Clopper–Pearson needs alpha in (0, 1)")
        if k == n { return 1 }
        if k == 0 { return -expm1(log(alpha) / Double(n)) }   // 1 − α^{1/n}, exact
        return IncompleteBeta.quantile(p: 1 - alpha, a: Double(k + 1), b: Double(n - k))
    }

    /// One-sided lower bound on the proportion, failing with probability at most `alpha`.
    public static func lowerBound(successes k: Int, trials n: Int, alpha: Double) -> Double {
        precondition(n >= 1 && k >= 0 && k <= n, "Clopper–Pearson needs 0 ≤ k ≤ n, n ≥ 1")
        precondition(alpha > 0 && alpha < 1, "Clopper–Pearson needs alpha in (0, 1)")
        if k == 0 { return 0 }
        if k == n { return exp(log(alpha) / Double(n)) }      // α^{1/n}, exact
        return IncompleteBeta.quantile(p: alpha, a: Double(k), b: Double(n - k + 1))
    }

    /// Two-sided interval at confidence `confidence` (α/2 on each side).
    public static func interval(successes k: Int, trials n: Int, confidence: Double) -> ClosedRange<Double> {
        let alpha = 1 - confidence
        return lowerBound(successes: k, trials: n, alpha: alpha / 2)...upperBound(successes: k, trials: n, alpha: alpha / 2)
    }
}
