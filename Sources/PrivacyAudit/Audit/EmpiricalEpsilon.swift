import Foundation

/// How the confidence level is shared among the thresholds of an ROC curve.
public enum ThresholdCorrection: String, Sendable, CaseIterable {
    /// Simultaneous over every threshold: the best threshold is picked on the same data, so the
    /// FPR bound uses `α/(2(n+1))` and the FNR bound `α/(2(m+1))` (n non-members, m members).
    /// Why n + 1: FP(t) is monotone in t, so "some threshold's FPR exceeds the CP upper bound of
    /// its count k" is contained in the union over k = 0…n of one fixed-threshold failure event
    /// each (the threshold where the true FPR equals the bound for k). Default.
    case bonferroni
    /// No correction: valid only when the threshold was fixed before seeing these scores
    /// (for example chosen on a separate split), as in Jagielski et al. 2020 and Nasr et al. 2021.
    case none
}

/// An empirical lower bound on ε from a membership attack's error rates.
///
/// Any (ε, δ)-DP mechanism forces every test between "member" and "non-member" to satisfy
/// `FPR + e^ε·FNR ≥ 1 − δ` and `FNR + e^ε·FPR ≥ 1 − δ` (Kairouz et al. 2015). An attack with
/// small error rates therefore proves
///
///     ε ≥ max( log((1 − δ − FPR)/FNR), log((1 − δ − FNR)/FPR) ).
///
/// Using Clopper–Pearson **upper** bounds on FPR and FNR instead of their point estimates makes
/// the statement hold with probability at least `confidence` over the attack's trials
/// (Jagielski et al. 2020; Nasr et al. 2021). The statistics assume the trials are independent
/// draws of (membership, score); see docs/audit.md for what that means for a single training run.
public struct EmpiricalEpsilon: Sendable, Equatable {
    /// The lower bound (≥ 0). 0 means the attack proves nothing at this confidence.
    public var epsilon: Double
    /// The ε computed from raw error rates at the same threshold, without confidence intervals
    /// (optimistic, can be `+∞`; for reading only, it is not a bound).
    public var pointEstimate: Double
    /// The score threshold attaining the bound (nil when the bound is 0 or for a single
    /// operating point given as counts).
    public var threshold: Double?
    /// Clopper–Pearson upper bounds on FPR and FNR at that threshold.
    public var falsePositiveRateUpperBound: Double
    public var falseNegativeRateUpperBound: Double
    /// The δ the bound is stated at.
    public var delta: Double
    /// Probability with which the bound holds (over the attack's trials).
    public var confidence: Double
    /// Candidate thresholds on the curve (end points excluded; 1 for a single operating point).
    public var thresholdsExamined: Int
    /// Factor the failure probability of each rate bound was divided by beyond the split
    /// between FPR and FNR: `n + 1` for FPR and `m + 1` for FNR under Bonferroni, else 1.
    public var falsePositiveRateCorrection: Int
    public var falseNegativeRateCorrection: Int

    /// Bound for one fixed operating point.
    /// - Parameters:
    ///   - truePositives: members flagged; `members` ≥ 1 of them in total.
    ///   - falsePositives: non-members flagged; `nonMembers` ≥ 1 in total.
    ///   - delta: δ ∈ [0, 1) of the (ε, δ) statement.
    ///   - confidence: in (0, 1); the failure probability `1 − confidence` is split equally
    ///     between the FPR and the FNR bound.
    /// - Throws: `PrivacyAuditError.invalidParameter` for counts or levels out of range.
    public static func lowerBound(truePositives: Int, falsePositives: Int, members: Int, nonMembers: Int,
                                  delta: Double, confidence: Double = 0.95) throws -> EmpiricalEpsilon {
        try validate(delta: delta, confidence: confidence)
        guard members >= 1, nonMembers >= 1, (0...members).contains(truePositives),
              (0...nonMembers).contains(falsePositives) else {
            throw PrivacyAuditError.invalidParameter(
                "operating point needs 0 ≤ TP ≤ members, 0 ≤ FP ≤ non-members, both groups non-empty")
        }
        let point = ROCPoint(threshold: 0, truePositives: truePositives, falsePositives: falsePositives,
                             members: members, nonMembers: nonMembers)
        var bounds = CountBounds(alpha: (1 - confidence) / 2, bonferroni: false)
        var result = evaluate(point, delta: delta, bounds: &bounds)
        result.confidence = confidence
        result.thresholdsExamined = 1
        result.threshold = nil   // the caller's operating point; no score threshold is known here
        return result
    }

    /// Best bound over all thresholds of an ROC curve.
    /// - Parameters:
    ///   - roc: the attack's curve.
    ///   - delta: δ of the (ε, δ) statement (use the δ of the accountant you compare with).
    ///   - confidence: probability that the returned bound holds.
    ///   - correction: `.bonferroni` (default) when the threshold is chosen on these scores.
    /// - Complexity: O(K log K) for K thresholds, plus at most one Beta quantile per distinct
    ///   count (memoised). Thresholds are visited in decreasing order of their point estimate,
    ///   which bounds their confidence-adjusted value from above, and the search stops as soon as
    ///   no remaining threshold can win — after a handful of quantiles for a strong attack; a
    ///   null attack visits every threshold with a positive point estimate (2 × 100,000 scores:
    ///   about 1 s in a debug build).
    public static func lowerBound(roc: ROCCurve, delta: Double, confidence: Double = 0.95,
                                  correction: ThresholdCorrection = .bonferroni) throws -> EmpiricalEpsilon {
        try validate(delta: delta, confidence: confidence)
        // The curve's end points (nobody / everybody flagged) can never give ε > 0; exclude them.
        let candidates = roc.points.filter { $0.truePositives + $0.falsePositives > 0 &&
            !($0.truePositives == $0.members && $0.falsePositives == $0.nonMembers) }
        let m = roc.points[0].members, n = roc.points[0].nonMembers
        let bonferroni = correction == .bonferroni
        var bounds = CountBounds(alpha: (1 - confidence) / 2, bonferroni: bonferroni)
        var best = EmpiricalEpsilon(epsilon: 0, pointEstimate: 0, threshold: nil, falsePositiveRateUpperBound: 1,
                                    falseNegativeRateUpperBound: 1, delta: delta, confidence: confidence,
                                    thresholdsExamined: candidates.count,
                                    falsePositiveRateCorrection: bonferroni ? n + 1 : 1,
                                    falseNegativeRateCorrection: bonferroni ? m + 1 : 1)
        let ranked = candidates.map { ($0, rawEpsilon(fpr: $0.falsePositiveRate, fnr: $0.falseNegativeRate, delta: delta)) }
            .sorted { $0.1 > $1.1 }
        if let top = ranked.first { best.pointEstimate = top.1 }
        for (point, estimate) in ranked {
            if estimate <= best.epsilon { break }
            let r = evaluate(point, delta: delta, bounds: &bounds)
            if r.epsilon > best.epsilon {
                best.epsilon = r.epsilon
                best.threshold = point.threshold
                best.falsePositiveRateUpperBound = r.falsePositiveRateUpperBound
                best.falseNegativeRateUpperBound = r.falseNegativeRateUpperBound
            }
        }
        return best
    }

    /// `max(log((1−δ−FPR)/FNR), log((1−δ−FNR)/FPR), 0)`; `+∞` when a denominator is 0.
    public static func rawEpsilon(fpr: Double, fnr: Double, delta: Double) -> Double {
        func side(_ num: Double, _ den: Double) -> Double {
            guard num > 0 else { return 0 }
            guard den > 0 else { return .infinity }
            return max(0, log(num / den))
        }
        return max(side(1 - delta - fpr, fnr), side(1 - delta - fnr, fpr))
    }

    static func validate(delta: Double, confidence: Double) throws {
        guard delta >= 0, delta < 1 else {
            throw PrivacyAuditError.invalidParameter("delta must be in [0, 1), got \(delta)")
        }
        guard confidence > 0, confidence < 1 else {
            throw PrivacyAuditError.invalidParameter("confidence must be in (0, 1), got \(confidence)")
        }
    }

    static func evaluate(_ point: ROCPoint, delta: Double, bounds: inout CountBounds) -> EmpiricalEpsilon {
        let fprU = bounds.upper(point.falsePositives, of: point.nonMembers)
        let fnrU = bounds.upper(point.falseNegatives, of: point.members)
        return EmpiricalEpsilon(epsilon: rawEpsilon(fpr: fprU, fnr: fnrU, delta: delta),
                                pointEstimate: rawEpsilon(fpr: point.falsePositiveRate, fnr: point.falseNegativeRate, delta: delta),
                                threshold: point.threshold, falsePositiveRateUpperBound: fprU,
                                falseNegativeRateUpperBound: fnrU, delta: delta, confidence: 0, thresholdsExamined: 0,
                                falsePositiveRateCorrection: 1, falseNegativeRateCorrection: 1)
    }
}

/// Memoised Clopper–Pearson upper bounds, keyed by (trials, count). With `bonferroni` the
/// failure probability for `n` trials is `alpha / (n + 1)` (simultaneous over all counts).
struct CountBounds {
    let alpha: Double
    let bonferroni: Bool
    var cache: [Int: [Int: Double]] = [:]
    init(alpha: Double, bonferroni: Bool) {
        self.alpha = alpha
        self.bonferroni = bonferroni
    }
    mutating func upper(_ k: Int, of n: Int) -> Double {
        if let v = cache[n]?[k] { return v }
        let a = bonferroni ? alpha / Double(n + 1) : alpha
        let v = ClopperPearson.upperBound(successes: k, trials: n, alpha: a)
        cache[n, default: [:]][k] = v
        return v
    }
}
