import Foundation

/// ε spent by `steps` Poisson-sampled Gaussian steps (one DP-SGD run).
///
/// - Parameters:
///   - q: sampling rate ∈ (0, 1]: each example is in a batch independently with probability q.
///   - noiseMultiplier: σ > 0, noise standard deviation divided by the clipping norm.
///   - steps: number of noisy steps ≥ 1.
///   - delta: δ ∈ (0, 1) of the (ε, δ) guarantee.
///   - accountant: `.rdp` (dp_accounting's RdpAccountant, improved conversion) or `.pld`
///     (dp_accounting's PLD, discretisation 1e-4, pessimistic).
/// - Returns: ε (natural log units) for the add/remove-one relation.
/// - Throws: `PrivacyAccountingError` naming the invalid parameter.
public func epsilon(samplingRate q: Double, noiseMultiplier: Double, steps: Int, delta: Double,
                    accountant: AccountantKind = .rdp) throws -> Double {
    try validateRun(samplingRate: q, noiseMultiplier: noiseMultiplier, steps: steps, delta: delta)
    switch accountant {
    case .rdp:
        let orders = RDPAccountant.defaultOrders
        var curve = RDPAccountant.subsampledGaussianCurve(samplingRate: q, noiseMultiplier: noiseMultiplier, orders: orders)
        let n = Double(steps)
        for k in 0..<curve.count { curve[k] *= n }
        return try RDPAccountant.epsilon(orders: orders, rdp: curve, delta: delta).epsilon
    case .pld:
        let pld = try PLDAccountant()
        return try pld.epsilon(for: .dpsgd(samplingRate: q, noiseMultiplier: noiseMultiplier, steps: steps), delta: delta)
    }
}

/// The privacy budget of a DP-SGD run described as op_tensorflow's `get_privacy_budget` does:
/// `q = batchSize / examples`, `steps = ceil(epochs · examples / batchSize)` (TF Privacy's convention), kept
/// for comparison with TF Privacy's published figures. dpflow itself (`dpflow budget`, `plan`, `run`) counts
/// the steps its loaders take, `ceil(epochs · ceil(examples / batchSize))`: use `DPSGDRun`.
///
/// - Parameters:
///   - examples: N, the number of training examples (public).
///   - batchSize: expected batch size B (Poisson sampling), 1 ≤ B ≤ N.
///   - noiseMultiplier: σ > 0.
///   - epochs: passes over the data, > 0 (fractional allowed).
///   - delta: δ ∈ (0, 1).
///   - accountant: which accountant computes ε.
public func privacyBudget(examples: Int, batchSize: Int, noiseMultiplier: Double, epochs: Double,
                          delta: Double, accountant: AccountantKind = .rdp) throws -> PrivacyBudget {
    let (q, steps) = try runShape(examples: examples, batchSize: batchSize, epochs: epochs)
    let eps = try epsilon(samplingRate: q, noiseMultiplier: noiseMultiplier, steps: steps, delta: delta,
                          accountant: accountant)
    return PrivacyBudget(epsilon: eps, delta: delta, noiseMultiplier: noiseMultiplier, samplingRate: q,
                         steps: steps, accountant: accountant)
}

/// q and steps of a run, validated (TF Privacy's convention).
func runShape(examples: Int, batchSize: Int, epochs: Double) throws -> (samplingRate: Double, steps: Int) {
    guard examples >= 1 else { throw PrivacyAccountingError.invalidExamples(examples) }
    guard batchSize >= 1, batchSize <= examples else {
        throw PrivacyAccountingError.invalidBatchSize(batchSize: batchSize, examples: examples)
    }
    guard epochs.isFinite, epochs > 0, epochs < 1e12 else { throw PrivacyAccountingError.invalidEpochs(epochs) }
    let q = Double(batchSize) / Double(examples)
    guard let steps = CheckedConversion.int((epochs * Double(examples) / Double(batchSize)).rounded(.up)) else {
        throw PrivacyAccountingError.stepCountOverflow("\(epochs) epochs of \(examples) examples in batches of \(batchSize)")
    }
    return (q, max(1, steps))
}

func validateRun(samplingRate q: Double, noiseMultiplier: Double, steps: Int, delta: Double) throws {
    guard q.isFinite, q > 0, q <= 1 else { throw PrivacyAccountingError.invalidSamplingRate(q) }
    guard noiseMultiplier.isFinite, noiseMultiplier > 0 else {
        throw PrivacyAccountingError.invalidNoiseMultiplier(noiseMultiplier)
    }
    guard steps >= 1 else { throw PrivacyAccountingError.invalidSteps(steps) }
    guard delta.isFinite, delta > 0, delta < 1 else { throw PrivacyAccountingError.invalidDelta(delta) }
}
