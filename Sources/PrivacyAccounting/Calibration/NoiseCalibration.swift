import Foundation

/// The smallest noise multiplier σ whose run stays within `targetEpsilon` at `delta`.
///
/// A safeguarded bracketing search on log σ: the bracket [lo, hi] always satisfies
/// ε(lo) > target ≥ ε(hi), and is shrunk by secant probes on log ε (ε is smooth and decreasing
/// in σ) with bisection whenever a round fails to halve it, until it is narrower than 1e-4
/// relative. The returned σ is the upper end `hi`, whose ε was computed with the same accountant
/// and is ≤ the target; it is re-checked before returning (Opacus' search is known to overshoot).
/// For `.pld` the RDP-calibrated σ (PLD is tighter, so usually feasible) seeds the bracket.
///
/// - Parameters:
///   - targetEpsilon: ε the run may spend, > 0.
///   - delta: δ ∈ (0, 1).
///   - examples, batchSize, epochs: the run (q = B/N, steps = ceil(epochs·N/B)).
///   - accountant: accountant used for every ε evaluation.
/// - Returns: σ with ε(σ) ≤ targetEpsilon and ε(σ·(1 − 1e-4)) > targetEpsilon.
/// - Throws: invalid parameters, or `.targetUnreachable` if σ would have to exceed 1e4.
/// - Complexity: about 10–30 ε evaluations.
public func calibrateNoiseMultiplier(targetEpsilon: Double, delta: Double, examples: Int, batchSize: Int,
                                     epochs: Double, accountant: AccountantKind = .rdp) throws -> Double {
    let (q, steps) = try runShape(examples: examples, batchSize: batchSize, epochs: epochs)
    return try calibrateNoiseMultiplier(targetEpsilon: targetEpsilon, delta: delta, samplingRate: q,
                                        steps: steps, accountant: accountant)
}

/// The smallest σ for `steps` Poisson-sampled Gaussian steps at rate `q` within `targetEpsilon` at `delta`.
/// See `calibrateNoiseMultiplier(targetEpsilon:delta:examples:batchSize:epochs:accountant:)`.
public func calibrateNoiseMultiplier(targetEpsilon: Double, delta: Double, samplingRate q: Double, steps: Int,
                                     accountant: AccountantKind = .rdp,
                                     relativeTolerance: Double = 1e-4) throws -> Double {
    guard targetEpsilon.isFinite, targetEpsilon > 0 else { throw PrivacyAccountingError.invalidEpsilon(targetEpsilon) }
    guard relativeTolerance > 0, relativeTolerance < 0.5 else {
        throw PrivacyAccountingError.targetUnreachable("relative tolerance \(relativeTolerance) must lie in (0, 0.5)")
    }
    try validateRun(samplingRate: q, noiseMultiplier: 1, steps: steps, delta: delta)
    let eps: (Double) throws -> Double = { sigma in
        try epsilon(samplingRate: q, noiseMultiplier: sigma, steps: steps, delta: delta, accountant: accountant)
    }
    var guess = 1.0, downFactor = 0.5
    if accountant == .pld {
        guess = try calibrateNoiseMultiplier(targetEpsilon: targetEpsilon, delta: delta, samplingRate: q,
                                             steps: steps, accountant: .rdp, relativeTolerance: relativeTolerance)
        downFactor = 0.85
    }
    return try calibrateSigma(targetEpsilon: targetEpsilon, seed: guess, downFactor: downFactor,
                              relativeTolerance: relativeTolerance, eps: eps)
}

/// The bracketing search behind every calibration: the smallest σ with eps(σ) ≤ target, for ε decreasing in σ.
/// - Parameters:
///   - seed: first σ probed; `downFactor`: how fast the bracket is widened downwards from it.
func calibrateSigma(targetEpsilon: Double, seed: Double, downFactor: Double, relativeTolerance: Double,
                    eps: (Double) throws -> Double) throws -> Double {
    guard targetEpsilon.isFinite, targetEpsilon > 0 else { throw PrivacyAccountingError.invalidEpsilon(targetEpsilon) }
    let maxSigma = 1e4, minSigma = 1e-3
    let tol = relativeTolerance

    // 1. Bracket: ε(lo) > target ≥ ε(hi).
    let guess = seed
    var hi = guess, epsHi = try eps(hi)
    var lo = hi, epsLo = epsHi
    if epsHi > targetEpsilon {
        repeat {
            lo = hi; epsLo = epsHi
            hi *= 2
            if hi > maxSigma {
                throw PrivacyAccountingError.targetUnreachable(
                    "ε = \(targetEpsilon) needs a noise multiplier above \(maxSigma)")
            }
            epsHi = try eps(hi)
        } while epsHi > targetEpsilon
    } else {
        repeat {
            hi = lo; epsHi = epsLo
            lo *= downFactor
            if lo < minSigma { return hi }  // Any σ ≥ 1e-3 meets the target; smaller σ is meaningless.
            epsLo = try eps(lo)
        } while epsLo <= targetEpsilon
    }

    // 2. Shrink: secant probes on (log σ, log ε − log target), bisection when a round stalls.
    let logTarget = Foundation.log(targetEpsilon)
    var bisectNext = false
    func update(_ sigma: Double) throws {
        let e = try eps(sigma)
        if e <= targetEpsilon { hi = sigma; epsHi = e } else { lo = sigma; epsLo = e }
    }
    while hi - lo > tol * hi {
        let width = hi - lo
        let fLo = Foundation.log(epsLo) - logTarget, fHi = Foundation.log(epsHi) - logTarget
        if bisectNext || !fLo.isFinite || !fHi.isFinite || fLo <= fHi {
            try update((lo * hi).squareRoot())
        } else {
            let a = Foundation.log(lo), b = Foundation.log(hi)
            let root = Foundation.exp(b - fHi * (b - a) / (fHi - fLo))
            // Probe just above and just below the estimated root: if the estimate is good,
            // the bracket closes to ~2/3·tol at once.
            for p in [root * (1 + tol / 3), root * (1 - tol / 3)] where p > lo && p < hi {
                try update(p)
                if hi - lo <= tol * hi { break }
            }
        }
        bisectNext = hi - lo > 0.5 * width
    }
    // 3. Re-check with the same accountant: the returned σ must not overshoot the target.
    let check = try eps(hi)
    guard check <= targetEpsilon else {
        throw PrivacyAccountingError.targetUnreachable("the calibrated σ = \(hi) gives ε = \(check) above the target \(targetEpsilon)")
    }
    return hi
}

/// The largest number of steps of a run at (q, σ) whose ε at δ stays ≤ `targetEpsilon`
/// (0 if even one step exceeds it). Binary search over the step count; ε grows with steps.
public func maximumSteps(targetEpsilon: Double, delta: Double, samplingRate q: Double, noiseMultiplier: Double,
                         accountant: AccountantKind = .rdp, limit: Int = 100_000_000) throws -> Int {
    guard targetEpsilon.isFinite, targetEpsilon > 0 else { throw PrivacyAccountingError.invalidEpsilon(targetEpsilon) }
    try validateRun(samplingRate: q, noiseMultiplier: noiseMultiplier, steps: 1, delta: delta)
    // RDP composes linearly in the step count: compute the one-step curve once.
    let orders = RDPAccountant.defaultOrders
    let oneStep = accountant == .rdp
        ? RDPAccountant.subsampledGaussianCurve(samplingRate: q, noiseMultiplier: noiseMultiplier, orders: orders) : []
    let eps: (Int) throws -> Double = { n in
        if accountant == .rdp {
            let total = oneStep.map { $0 * Double(n) }
            return try RDPAccountant.epsilon(orders: orders, rdp: total, delta: delta).epsilon
        }
        return try epsilon(samplingRate: q, noiseMultiplier: noiseMultiplier, steps: n, delta: delta, accountant: accountant)
    }
    if try eps(1) > targetEpsilon { return 0 }
    var lo = 1, hi = 2   // ε(lo) ≤ target < ε(hi)
    while try eps(hi) <= targetEpsilon {
        lo = hi
        if hi >= limit { return limit }
        hi = hi > limit / 2 ? limit : hi * 2
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2
        if try eps(mid) <= targetEpsilon { lo = mid } else { hi = mid }
    }
    return lo
}

/// The largest number of epochs (a whole number of steps, expressed as steps·B/N) of a run with
/// N examples, expected batch size B and noise multiplier σ that stays within `targetEpsilon` at δ.
public func maximumEpochs(targetEpsilon: Double, delta: Double, examples: Int, batchSize: Int,
                          noiseMultiplier: Double, accountant: AccountantKind = .rdp) throws -> Double {
    let (q, _) = try runShape(examples: examples, batchSize: batchSize, epochs: 1)
    let steps = try maximumSteps(targetEpsilon: targetEpsilon, delta: delta, samplingRate: q,
                                 noiseMultiplier: noiseMultiplier, accountant: accountant)
    return Double(steps) * Double(batchSize) / Double(examples)
}
