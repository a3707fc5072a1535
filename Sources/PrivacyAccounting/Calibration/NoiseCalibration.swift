import Foundation

/// The smallest noise multiplier σ whose run stays within `targetEpsilon` at `delta`.
///
/// Bisection on log σ until the bracket is narrower than 1e-4 relative. The returned σ is the
/// upper end of the bracket, whose ε was computed with the same accountant and is ≤ the target
/// (re-checked before returning; Opacus' search is known to overshoot).
///
/// - Parameters:
///   - targetEpsilon: ε the run may spend, > 0.
///   - delta: δ ∈ (0, 1).
///   - examples, batchSize, epochs: the run (q = B/N, steps = ceil(epochs·N/B)).
///   - accountant: accountant used for every ε evaluation.
/// - Returns: σ with ε(σ) ≤ targetEpsilon and ε(σ·(1 − 1e-4)) > targetEpsilon.
/// - Throws: invalid parameters, or `.targetUnreachable` if σ would exceed 1e4 or fall below 1e-3.
/// - Complexity: about 30 ε evaluations.
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
    try validateRun(samplingRate: q, noiseMultiplier: 1, steps: steps, delta: delta)
    let eps: (Double) throws -> Double = { sigma in
        try epsilon(samplingRate: q, noiseMultiplier: sigma, steps: steps, delta: delta, accountant: accountant)
    }
    let maxSigma = 1e4, minSigma = 1e-3
    // Bracket: ε(lo) > target ≥ ε(hi).
    var hi = 1.0
    while try eps(hi) > targetEpsilon {
        hi *= 2
        if hi > maxSigma {
            throw PrivacyAccountingError.targetUnreachable(
                "ε = \(targetEpsilon) at δ = \(delta) needs a noise multiplier above \(maxSigma)")
        }
    }
    var lo = hi / 2
    while try eps(lo) <= targetEpsilon {
        hi = lo
        lo /= 2
        if lo < minSigma { return hi }  // Any σ ≥ 1e-3 meets the target; smaller σ is meaningless.
    }
    while (hi - lo) > relativeTolerance * hi {
        let mid = (lo * hi).squareRoot()
        if try eps(mid) <= targetEpsilon { hi = mid } else { lo = mid }
    }
    // Re-check with the same accountant: the returned σ must not overshoot the target.
    let check = try eps(hi)
    precondition(check <= targetEpsilon, "calibrated σ exceeds the target ε; bracket invariant broken")
    return hi
}

/// The largest number of steps of a run at (q, σ) whose ε at δ stays ≤ `targetEpsilon`
/// (0 if even one step exceeds it). Binary search over the step count; ε grows with steps.
public func maximumSteps(targetEpsilon: Double, delta: Double, samplingRate q: Double, noiseMultiplier: Double,
                         accountant: AccountantKind = .rdp, limit: Int = 100_000_000) throws -> Int {
    guard targetEpsilon.isFinite, targetEpsilon > 0 else { throw PrivacyAccountingError.invalidEpsilon(targetEpsilon) }
    try validateRun(samplingRate: q, noiseMultiplier: noiseMultiplier, steps: 1, delta: delta)
    let eps: (Int) throws -> Double = { n in
        try epsilon(samplingRate: q, noiseMultiplier: noiseMultiplier, steps: n, delta: delta, accountant: accountant)
    }
    if try eps(1) > targetEpsilon { return 0 }
    var lo = 1, hi = 2   // ε(lo) ≤ target < ε(hi)
    while try eps(hi) <= targetEpsilon {
        lo = hi
        if hi >= limit { return limit }
        hi = min(hi * 2, limit)
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
