import Foundation

/// RDP of the Gaussian mechanism applied to a fixed-size sample drawn without replacement, under the
/// replace-one neighbouring relation (Wang, Balle & Kasiviswanathan 2019, "Subsampled Rényi differential
/// privacy and analytical moments accountant", Theorem 27 with the Gaussian's RDP ε(α) = α/(2σ²); the bound
/// dp_accounting evaluates for `SampledWithoutReplacementDpEvent` under `REPLACE_ONE`).
///
/// For an integer order α ≥ 2 with sampling proportion q = m/n, the bound is ε(α) = log A / (α − 1) with
///
///     A = 1 + q²·C(α,2)·min(4(e^{ε(2)} − 1), 2e^{ε(2)})
///           + Σ_{j=3..α} q^j·C(α,j)·min(4·√(|Δ^{2⌊j/2⌋}u|·|Δ^{2⌈j/2⌉}u|), 2e^{(j−1)ε(j)})
///
/// where u_k = e^{(k−1)·ε(k)} = e^{(k−1)k/(2σ²)} and Δ^m u is the m-th forward difference of u at 0. The
/// differences are taken in log space with signs (each magnitude a log), repeatedly differencing neighbours,
/// which keeps the huge terms of high orders finite. Orders above 256 use only the second branch of the
/// minimum (the forward differences would cost O(α²)); fractional orders interpolate log A linearly between
/// the neighbouring integers (WBK19 Corollary 10), which bounds the true value from above.
enum SampledWithoutReplacementGaussianRDP {
    /// Orders above this use the cheaper bound (as dp_accounting does).
    static let exactDifferenceLimit = 256

    /// RDP at each of `orders` (each > 1; +∞ stays +∞).
    static func curve(samplingRate q: Double, noiseMultiplier sigma: Double, orders: [Double]) -> [Double] {
        if q == 0 { return orders.map { _ in 0 } }
        if q >= 1 { return orders.map { $0 / (2 * sigma * sigma) } }
        let needed = orders.filter(\.isFinite).map { Int($0.rounded(.up)) }
            .filter { $0 <= exactDifferenceLimit }.max() ?? 2
        let deltas = logForwardDifferences(sigma: sigma, count: max(needed, 2))
        var cache: [Int: Double] = [:]
        func logA(_ alpha: Int) -> Double {
            if let v = cache[alpha] { return v }
            let v = logMoment(q: q, sigma: sigma, alpha: alpha, deltas: deltas)
            cache[alpha] = v
            return v
        }
        return orders.map { alpha in
            if !alpha.isFinite { return .infinity }
            let lower = alpha.rounded(.down)
            let value: Double
            if lower == alpha {
                value = logA(Int(alpha)) / (alpha - 1)
            } else {
                let t = alpha - lower
                value = ((1 - t) * logA(Int(lower)) + t * logA(Int(lower) + 1)) / (alpha - 1)
            }
            // A vanishing σ overflows the moments (∞ − ∞): the bound is then +∞, never NaN.
            return value.isNaN ? .infinity : value
        }
    }

    /// log A at an integer order α (0 for α ≤ 1).
    static func logMoment(q: Double, sigma: Double, alpha: Int, deltas: [Double]) -> Double {
        guard alpha >= 2 else { return 0 }
        let logQ = Foundation.log(q)
        let eps2 = 1 / (sigma * sigma)                 // ε(2) = 2/(2σ²)
        func cgf(_ x: Double) -> Double { x * (x + 1) / (2 * sigma * sigma) }   // (x)·ε(x + 1)
        let log4 = Foundation.log(4.0), log2 = Foundation.log(2.0)
        let logE2m1 = eps2 + Foundation.log(1 - Foundation.exp(-eps2))   // log(e^{ε(2)} − 1)
        var total = 0.0                                 // log 1
        for j in 2...alpha {
            var s: Double
            if j == 2 {
                s = min(log4 + logE2m1, eps2 + log2)
            } else if alpha <= exactDifferenceLimit {
                let lo = deltas[2 * (j / 2) - 1], hi = deltas[2 * ((j + 1) / 2) - 1]
                s = min(log4 + 0.5 * (lo + hi), log2 + cgf(Double(j - 1)))
            } else {
                s = log2 + cgf(Double(j - 1))
            }
            s += Double(j) * logQ + logBinomial(alpha, j)
            total = LogSpace.add(total, s)
        }
        return total
    }

    /// `deltas[i]` = log |Δ^{i+1} u| at 0, for i = 0 … count, with u_k = e^{cgf(k − 1)}.
    static func logForwardDifferences(sigma: Double, count n: Int) -> [Double] {
        let size = n + 3
        var magnitude = (0..<size).map { k in Double(k - 1) * Double(k) / (2 * sigma * sigma) }
        var positive = [Bool](repeating: true, count: size)
        var deltas = [Double](repeating: 0, count: n + 2)
        for i in 0..<(n + 2) {
            // One more difference of the first size − 1 − i entries: v[j] ← v[j + 1] − v[j].
            for j in 0..<(size - 1 - i) {
                let a = magnitude[j], b = magnitude[j + 1]
                if positive[j] == positive[j + 1] {
                    // |b| − |a| with the common sign applied.
                    let (differencePositive, m) = logSubtractWithSign(b, a)
                    magnitude[j] = m
                    positive[j] = positive[j + 1] ? differencePositive : !differencePositive
                } else {
                    magnitude[j] = LogSpace.add(a, b)
                    positive[j] = positive[j + 1]
                }
            }
            deltas[i] = magnitude[0]
        }
        return deltas
    }

    /// Sign and log magnitude of e^x − e^y.
    static func logSubtractWithSign(_ x: Double, _ y: Double) -> (positive: Bool, magnitude: Double) {
        if x > y { return (true, x + Foundation.log(1 - Foundation.exp(y - x))) }
        if x < y { return (false, y + Foundation.log(1 - Foundation.exp(x - y))) }
        return (true, -.infinity)
    }

    /// log C(n, k) by log-gamma.
    static func logBinomial(_ n: Int, _ k: Int) -> Double {
        Foundation.lgamma(Double(n + 1)) - Foundation.lgamma(Double(k + 1)) - Foundation.lgamma(Double(n - k + 1))
    }
}
