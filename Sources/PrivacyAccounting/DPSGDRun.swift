import Foundation

/// The shape of a DP-SGD run as dpflow trains it: the one step convention shared by `dpflow budget`,
/// `dpflow plan` and `dpflow run`.
///
/// - An epoch is `ceil(N/B)` steps, and a run of E epochs is `ceil(E · ceil(N/B))` steps (for whole
///   epochs, as pipelines have, exactly `E · ceil(N/B)`: what the loaders take). TF Privacy's
///   `ceil(E·N/B)` can be smaller (14063 < 14100 for N = 60000, B = 256, 60 epochs) and would
///   understate ε for these loaders; `privacyBudget(examples:…)` keeps it only for comparison with TF Privacy.
/// - `.addRemove`: Poisson sampling at q = B/N; the event is `steps × poissonSampled(q, gaussian(σ))`.
/// - `.replaceOne`: fixed-size batches of B drawn without replacement from N; replacing one example moves
///   the clipped gradient sum by up to 2C, so the event is `steps × sampledWithoutReplacement(q, gaussian(σ/2))`
///   (σ is the noise standard deviation over C, as everywhere in dpflow).
///
/// N is public here: a declared `privacy.public_size`, a DP count, or (replace-one only) the data's own count.
public struct DPSGDRun: Sendable, Equatable {
    /// N, the public number of training examples the sampling rate is computed from.
    public let examples: Int
    /// B: the expected (Poisson) or fixed (without replacement) batch size, also the gradient divisor.
    public let batchSize: Int
    /// Passes over the data (> 0; fractional only in `dpflow budget`).
    public let epochs: Double
    public let relation: NeighbouringRelation
    /// `ceil(N/B)`.
    public let stepsPerEpoch: Int
    /// `ceil(epochs · ceil(N/B))`.
    public let steps: Int

    /// - Throws: `.invalidExamples`, `.invalidBatchSize` (B > N), `.invalidEpochs` (not finite, ≤ 0, or so
    ///   many that the step count would overflow).
    public init(examples: Int, batchSize: Int, epochs: Double, relation: NeighbouringRelation = .addRemove) throws {
        guard examples >= 1 else { throw PrivacyAccountingError.invalidExamples(examples) }
        guard batchSize >= 1, batchSize <= examples else {
            throw PrivacyAccountingError.invalidBatchSize(batchSize: batchSize, examples: examples)
        }
        guard epochs.isFinite, epochs > 0 else { throw PrivacyAccountingError.invalidEpochs(epochs) }
        let perEpoch = examples / batchSize + (examples % batchSize == 0 ? 0 : 1)
        let total = (epochs * Double(perEpoch)).rounded(.up)
        // 2^53: every step count below is exact in a Double, and far above any run that can finish.
        guard total < 9_007_199_254_740_992 else {
            // The epochs may be fine (2 epochs of 2⁶³ − 1 examples): name what overflowed.
            throw PrivacyAccountingError.stepCountOverflow("\(epochs) epochs × \(perEpoch) steps per epoch (\(examples) examples, batch size \(batchSize)) exceed 2⁵³ steps")
        }
        self.examples = examples
        self.batchSize = batchSize
        self.epochs = epochs
        self.relation = relation
        self.stepsPerEpoch = perEpoch
        self.steps = max(1, Int(total))
    }

    /// Whole epochs, with overflow-checked step arithmetic.
    public init(examples: Int, batchSize: Int, epochs: Int, relation: NeighbouringRelation = .addRemove) throws {
        guard epochs >= 1 else { throw PrivacyAccountingError.invalidEpochs(Double(epochs)) }
        try self.init(examples: examples, batchSize: batchSize, epochs: Double(epochs), relation: relation)
        let (exact, overflow) = epochs.multipliedReportingOverflow(by: stepsPerEpoch)
        guard !overflow, exact == steps else {
            throw PrivacyAccountingError.stepCountOverflow("\(epochs) epochs × \(stepsPerEpoch) steps per epoch")
        }
    }

    /// q = B/N.
    public var samplingRate: Double { Double(batchSize) / Double(examples) }

    /// The DP event of one step with noise multiplier σ (noise std / C).
    public func stepEvent(noiseMultiplier sigma: Double) -> DPEvent {
        switch relation {
        case .addRemove:
            .poissonSampled(samplingRate: samplingRate, event: .gaussian(noiseMultiplier: sigma))
        case .replaceOne:
            .sampledWithoutReplacement(samplingRate: samplingRate, event: .gaussian(noiseMultiplier: sigma / 2))
        }
    }

    /// ε after `steps` steps (default: the whole run) at δ.
    /// - Throws: invalid σ or δ; `.unsupportedEvent` for PLD under replace-one.
    public func epsilon(noiseMultiplier sigma: Double, delta: Double, accountant: AccountantKind = .rdp,
                        steps: Int? = nil) throws -> Double {
        try dpsgdEpsilon(samplingRate: samplingRate, noiseMultiplier: sigma, steps: steps ?? self.steps, delta: delta,
                         accountant: accountant, relation: relation)
    }

    /// The smallest σ whose whole run stays within `targetEpsilon` at δ (same search as
    /// `calibrateNoiseMultiplier`), re-checked with the same accountant.
    public func calibrateNoiseMultiplier(targetEpsilon: Double, delta: Double,
                                         accountant: AccountantKind = .rdp) throws -> Double {
        switch relation {
        case .addRemove:
            return try PrivacyAccounting.calibrateNoiseMultiplier(targetEpsilon: targetEpsilon, delta: delta,
                                                                  samplingRate: samplingRate, steps: steps,
                                                                  accountant: accountant)
        case .replaceOne:
            guard accountant == .rdp else {
                throw PrivacyAccountingError.unsupportedEvent(
                    "the PLD accountant does not account for sampling without replacement under replace-one; use rdp")
            }
            return try calibrateSigma(targetEpsilon: targetEpsilon, seed: 1, downFactor: 0.5,
                                      relativeTolerance: 1e-4) { sigma in
                try epsilon(noiseMultiplier: sigma, delta: delta, accountant: accountant)
            }
        }
    }
}

/// ε of `steps` DP-SGD steps at sampling rate q and noise multiplier σ under `relation`: Poisson sampling
/// (add_remove) or fixed-size sampling without replacement with the replace-one sensitivity 2C (replace_one);
/// see `DPSGDRun`.
public func dpsgdEpsilon(samplingRate q: Double, noiseMultiplier sigma: Double, steps: Int, delta: Double,
                         accountant: AccountantKind = .rdp, relation: NeighbouringRelation) throws -> Double {
    switch relation {
    case .addRemove:
        return try epsilon(samplingRate: q, noiseMultiplier: sigma, steps: steps, delta: delta, accountant: accountant)
    case .replaceOne:
        try validateRun(samplingRate: q, noiseMultiplier: sigma, steps: steps, delta: delta)
        var a = accountant.makeAccountant()
        try a.compose(.sampledWithoutReplacement(samplingRate: q, event: .gaussian(noiseMultiplier: sigma / 2)), count: steps)
        return try a.epsilon(delta: delta)
    }
}
