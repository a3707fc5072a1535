/// A differentially private computation whose privacy cost an accountant can measure.
///
/// Events are plain values: a training run is
/// `.selfComposed(.poissonSampled(samplingRate: q, .gaussian(noiseMultiplier: σ)), count: steps)`,
/// and a run followed by DP evaluation releases is `.composed([run, release1, release2])`.
/// Sensitivity is normalised to 1 throughout (noise is expressed relative to it).
public indirect enum DPEvent: Sendable, Hashable {
    /// The Gaussian mechanism with noise standard deviation σ (relative to the L2 sensitivity).
    case gaussian(noiseMultiplier: Double)
    /// `event` applied to a Poisson sample that includes each record independently with
    /// probability `samplingRate` (add/remove-one neighbouring relation).
    case poissonSampled(samplingRate: Double, event: DPEvent)
    /// `event` applied to a fixed-size sample of `samplingRate·n` records drawn uniformly without
    /// replacement from n (replace-one neighbouring relation; Wang, Balle & Kasiviswanathan 2019;
    /// dp_accounting's `SampledWithoutReplacementDpEvent` with `NeighboringRelation.REPLACE_ONE`).
    /// The inner event's noise is relative to the replace-one sensitivity of the sampled query.
    case sampledWithoutReplacement(samplingRate: Double, event: DPEvent)
    /// The Laplace mechanism with scale b (relative to the L1 sensitivity); ε₀ = 1/b pure DP.
    case laplace(scale: Double)
    /// Sequential composition of different events.
    case composed([DPEvent])
    /// `count` sequential repetitions of the same event.
    case selfComposed(DPEvent, count: Int)

    /// The event of a DP-SGD run: `steps` Poisson-sampled Gaussian steps.
    public static func dpsgd(samplingRate: Double, noiseMultiplier: Double, steps: Int) -> DPEvent {
        .selfComposed(.poissonSampled(samplingRate: samplingRate, event: .gaussian(noiseMultiplier: noiseMultiplier)),
                      count: steps)
    }
}

extension DPEvent {
    /// Checks every parameter in the event tree and throws the first invalid one.
    func validate() throws {
        switch self {
        case .gaussian(let sigma):
            guard sigma.isFinite, sigma > 0 else { throw PrivacyAccountingError.invalidNoiseMultiplier(sigma) }
        case .poissonSampled(let q, let inner), .sampledWithoutReplacement(let q, let inner):
            guard q.isFinite, q >= 0, q <= 1 else { throw PrivacyAccountingError.invalidSamplingRate(q) }
            try inner.validate()
        case .laplace(let b):
            guard b.isFinite, b > 0 else { throw PrivacyAccountingError.invalidLaplaceScale(b) }
        case .composed(let events):
            for e in events { try e.validate() }
        case .selfComposed(let e, let count):
            guard count >= 0 else { throw PrivacyAccountingError.invalidSteps(count) }
            try e.validate()
        }
    }

    /// σ of a single Gaussian equivalent to a composition of Gaussians on the same data
    /// (σ_eff = (Σ σᵢ⁻²)^(-1/2)), or nil if the event is not built only from Gaussians.
    var effectiveGaussianNoiseMultiplier: Double? {
        func inverseVariance(_ e: DPEvent) -> Double? {
            switch e {
            case .gaussian(let s): return 1 / (s * s)
            case .composed(let es):
                var total = 0.0
                for x in es { guard let v = inverseVariance(x) else { return nil }; total += v }
                return total
            case .selfComposed(let x, let count):
                guard let v = inverseVariance(x) else { return nil }
                return count == 0 ? 0 : v * Double(count)
            case .poissonSampled, .sampledWithoutReplacement, .laplace: return nil
            }
        }
        guard let v = inverseVariance(self), !v.isNaN else { return nil }
        return v > 0 ? 1 / v.squareRoot() : .infinity
    }
}
