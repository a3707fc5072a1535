import PrivacyAccounting

/// Steps a `PrivacyAccountant` once per DP-SGD step: every step adds the sampler's own DP event
/// (Poisson-subsampled Gaussian under add/remove-one, sampled-without-replacement Gaussian under
/// replace-one). ε is read through the `PrivacyAccountant` protocol; nothing is computed inline.
///
/// Steps are composed in one `compose(event, count: steps)` on a fresh accountant when ε is
/// asked for: the same value as composing them one by one, without rounding drift or
/// per-step cost.
public final class AccountingStepHook {
    /// The event of one step.
    public let event: DPEvent
    /// Which accountant (every reported ε names it).
    public let accountant: AccountantKind
    /// Steps accounted so far.
    public private(set) var steps = 0

    public init(event: DPEvent, accountant: AccountantKind) {
        self.event = event
        self.accountant = accountant
    }

    /// Records one more step.
    public func didStep() { steps += 1 }

    /// ε at `delta` of all steps so far (0 before the first step).
    /// - Throws: the accountant's errors (unsupported event, invalid δ).
    public func epsilon(delta: Double) throws -> Double {
        guard steps > 0 else { return 0 }
        var a = accountant.makeAccountant()
        try a.compose(event, count: steps)
        return try a.epsilon(delta: delta)
    }
}

extension BatchSampler {
    /// The DP event of one step of this sampler with accounting noise multiplier σ: what the
    /// accountant composes per step (the sampler emits its own event).
    public func stepEvent(noiseMultiplier sigma: Double) -> DPEvent {
        switch neighbouring {
        case .addRemove: .poissonSampled(samplingRate: samplingRate, event: .gaussian(noiseMultiplier: sigma))
        // Replacing one example moves the clipped sum by up to 2C: the event of σ/2 (as `dpsgdEpsilon`).
        case .replaceOne: .sampledWithoutReplacement(samplingRate: samplingRate, event: .gaussian(noiseMultiplier: sigma / 2))
        }
    }
}
