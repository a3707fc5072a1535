import Foundation

/// A discretised privacy loss distribution: mass `probs[k]` at loss `(lowerLoss + k)·discretization`
/// plus `infinityMass` at +∞ (the part of δ no ε can cover).
struct PLDPmf: Sendable {
    /// Largest grid (single mechanism or composed window) the accountant will allocate:
    /// 2²⁴ doubles = 128 MiB per array.
    static let maximumPoints = 1 << 24

    var discretization: Double
    var lowerLoss: Int
    var probs: [Double]
    var infinityMass: Double

    /// The PMF of a mechanism with no privacy loss (loss 0 with probability 1).
    static func identity(discretization: Double) -> PLDPmf {
        PLDPmf(discretization: discretization, lowerLoss: 0, probs: [1], infinityMass: 0)
    }

    /// Hockey-stick divergence δ(ε) = ∞-mass + Σ_{loss > ε} p·(1 − e^{ε − loss}).
    func delta(epsilon: Double) -> Double {
        var upper = infinityMass, lower = 0.0
        var k = probs.count - 1
        while k >= 0 {
            let loss = Double(lowerLoss + k) * discretization
            if loss <= epsilon { break }
            upper += probs[k]
            lower += probs[k] * Foundation.exp(-loss)
            k -= 1
        }
        return max(0, upper - Foundation.exp(epsilon) * lower)
    }

    /// The smallest ε ≥ 0 with δ(ε) ≤ `delta` (+∞ if the infinity mass alone exceeds δ).
    func epsilon(delta: Double) -> Double {
        if infinityMass > delta { return .infinity }
        var upper = infinityMass, lower = 0.0
        var k = probs.count - 1
        while k >= 0 {
            let loss = Double(lowerLoss + k) * discretization
            if upper > delta, lower > 0, Foundation.log((upper - delta) / lower) >= loss { break }
            upper += probs[k]
            lower += Foundation.exp(-loss) * probs[k]
            if upper >= delta, lower == 0 { return max(0, loss) }
            k -= 1
        }
        if upper <= lower + delta { return 0 }
        return Foundation.log((upper - delta) / lower)
    }

    /// Pessimistic connect-the-dots PMF on the contiguous grid lower…upper (Doroshenko et al.
    /// 2022, Algorithm 1, fixed-gap form) from δ(ε) sampled at those grid points.
    static func connectTheDots(discretization d: Double, lower: Int, upper: Int, deltas: [Double]) -> PLDPmf {
        precondition(deltas.count == upper - lower + 1)
        let n = deltas.count
        if n == 1 {
            return PLDPmf(discretization: d, lowerLoss: lower, probs: [1 - deltas[0]], infinityMass: deltas[0])
        }
        var probs = [Double](repeating: 0, count: n)
        let em1 = Foundation.expm1(d), ed = Foundation.exp(d)
        probs[0] = 1 - deltas[0] + (deltas[1] - deltas[0]) / em1
        if n > 2 {
            for i in 1..<(n - 1) {
                probs[i] = ((deltas[i + 1] - deltas[i]) - (deltas[i] - deltas[i - 1]) * ed) / em1
            }
        }
        probs[n - 1] = (deltas[n - 1] - deltas[n - 2]) / Foundation.expm1(-d)
        for i in 0..<n where !(probs[i] > 0) { probs[i] = 0 }
        return PLDPmf(discretization: d, lowerLoss: lower, probs: probs, infinityMass: deltas[n - 1])
    }

    /// Composition with another PMF (FFT convolution), truncating at most `tailMassTruncation`
    /// pessimistically: left tail mass moves to the first kept loss, right tail mass to +∞.
    func composed(with other: PLDPmf, tailMassTruncation: Double = 1e-15) throws -> PLDPmf {
        let size = probs.count + other.probs.count - 1
        guard size <= PLDPmf.maximumPoints else {
            throw PrivacyAccountingError.pldGridTooLarge(points: size, limit: PLDPmf.maximumPoints)
        }
        let conv = FFTConvolution.convolve(probs, other.probs)
        let inf = infinityMass + other.infinityMass - infinityMass * other.infinityMass
        var out = PLDPmf.truncated(conv, tailMassTruncation: tailMassTruncation)
        out.lowerLoss += lowerLoss + other.lowerLoss
        out.infinityMass += inf
        out.discretization = discretization
        return out
    }

    /// `count`-fold self-composition by one FFT power, restricted to the Chernoff range that
    /// holds all but `tailMassTruncation` of the mass (dp_accounting's `self_convolve`).
    func selfComposed(_ count: Int, tailMassTruncation: Double = 1e-15) throws -> PLDPmf {
        precondition(count >= 1)
        if count == 1 { return self }
        let (lo, hi) = PLDPmf.chernoffBounds(probs, count: count, tailMassTruncation: tailMassTruncation)
        // Checked: with astronomically many steps the bounds and the offset leave the Int range.
        let (span, spanOverflow) = hi.subtractingReportingOverflow(lo)
        guard !spanOverflow, span < PLDPmf.maximumPoints else {
            throw PrivacyAccountingError.pldGridTooLarge(points: spanOverflow ? Int.max : span + 1,
                                                         limit: PLDPmf.maximumPoints)
        }
        let outLength = span + 1
        let (shift, shiftOverflow) = lowerLoss.multipliedReportingOverflow(by: count)
        let (newLower, lowerOverflow) = shift.addingReportingOverflow(lo)
        guard !shiftOverflow, !lowerOverflow, abs(newLower) < Int(CheckedConversion.limit) else {
            throw PrivacyAccountingError.pldGridTooLarge(points: Int.max, limit: PLDPmf.maximumPoints)
        }
        let out = FFTConvolution.selfConvolve(probs, count: count, offset: lo, outputLength: outLength)
        guard out.allSatisfy(\.isFinite) else {
            throw PrivacyAccountingError.stepCountOverflow("\(count) compositions are numerically unstable in the PLD accountant")
        }
        let inf = tailMassTruncation - Foundation.expm1(Double(count) * Foundation.log1p(-infinityMass))
        return PLDPmf(discretization: discretization, lowerLoss: newLower, probs: out, infinityMass: inf)
    }

    /// Chernoff bounds on the support of the `count`-fold convolution of `probs` outside which
    /// at most `tailMassTruncation` mass lies (each tail ≤ half).
    static func chernoffBounds(_ probs: [Double], count: Int, tailMassTruncation: Double) -> (Int, Int) {
        let (product, overflow) = (probs.count - 1).multipliedReportingOverflow(by: count)
        var upper = overflow ? Int(CheckedConversion.limit) : min(product, Int(CheckedConversion.limit))
        var lower = 0
        if tailMassTruncation == 0 { return (lower, upper) }
        let n = Double(probs.count)
        let logTwoOverTau = Foundation.log(2 / tailMassTruncation)
        guard let first = probs.firstIndex(where: { $0 > 0 }), let last = probs.lastIndex(where: { $0 > 0 }) else {
            return (lower, upper)
        }
        for o in -20...20 where o != 0 {
            let order = Double(o) / n
            // log Σ p_i e^{i·order}: weights by a multiplicative recurrence (|i·order| ≤ 20, so no
            // overflow; relative round-off ≤ n·1e-16, irrelevant for a bound rounded to the grid).
            let m = max(Double(first) * order, Double(last) * order)
            let ratio = Foundation.exp(order)
            var w = Foundation.exp(Double(first) * order - m)
            var s = 0.0
            probs.withUnsafeBufferPointer { p in
                for i in first...last { s += p[i] * w; w *= ratio }
            }
            guard s > 0 else { continue }
            let logMGF = m + Foundation.log(s)
            let bound = (Double(count) * logMGF + logTwoOverTau) / order
            if order > 0 { upper = min(upper, CheckedConversion.clampedInt(bound.rounded(.up), nanValue: upper)) }
            else { lower = max(lower, CheckedConversion.clampedInt(bound.rounded(.down), nanValue: lower)) }
        }
        return (lower, upper)
    }

    /// Drops the longest prefix and suffix each holding ≤ τ/2 mass; prefix mass is added to the
    /// first kept entry, suffix mass is returned in `infinityMass` (pessimistic).
    static func truncated(_ probs: [Double], tailMassTruncation tau: Double) -> PLDPmf {
        if tau == 0 || probs.isEmpty { return PLDPmf(discretization: 0, lowerLoss: 0, probs: probs, infinityMass: 0) }
        func prefix(_ indices: some Sequence<Int>) -> Int {
            var s = 0.0, count = 0
            for i in indices { s += probs[i]; if s > tau / 2 { return count }; count += 1 }
            return count
        }
        let left = prefix(0..<probs.count)
        var right = probs.count - prefix((0..<probs.count).reversed())
        right = max(right, left + 1)
        var leftMass = 0.0, rightMass = 0.0
        for i in 0..<left { leftMass += probs[i] }
        if right < probs.count { for i in right..<probs.count { rightMass += probs[i] } }
        var kept = Array(probs[left..<min(right, probs.count)])
        if kept.isEmpty { kept = [0] }
        kept[0] += leftMass
        return PLDPmf(discretization: 0, lowerLoss: left, probs: kept, infinityMass: rightMass)
    }
}
