/// What a `fit` did, epoch by epoch, and what privacy it spent.
///
/// Training losses are computed on the private training batches; like TF Privacy and Opacus
/// they are *not* protected by the DP guarantee and should not be published.
public struct TrainingHistory: Sendable, Equatable {
    /// Mean per-example training loss of each epoch.
    public var loss: [Double] = []
    /// Per-epoch training metrics by name (`accuracy` …).
    public var metrics: [String: [Double]] = [:]
    /// ε spent after each epoch (natural log units; nil where not computed, e.g. PLD before the
    /// last epoch; +∞ when σ = 0). With a seeded noise source this is the ε the mechanism *would*
    /// have had: check `isPrivate`.
    public var epsilon: [Double?] = []
    /// δ the ε values refer to.
    public var delta: Double?
    /// Accountant that produced ε (`rdp`, `pld`), nil when none.
    public var accountant: String?
    /// Optimizer steps taken by this `fit` (including noise-only steps on empty batches).
    public var steps: Int = 0
    /// Steps of every `fit` of the same model so far; ε covers these.
    public var cumulativeSteps: Int = 0
    /// Poisson sampling rate q (nil for non-private training).
    public var samplingRate: Double?
    /// σ: noise standard deviation divided by the clip norm.
    public var noiseMultiplier: Double?
    /// C: per-example gradient L2 clip norm.
    public var l2NormClip: Double?
    /// True only when noise came from a secure generator, with σ > 0 and Poisson sampling.
    public var isPrivate: Bool = false

    public init() {}

    /// ε after the last epoch.
    public var finalEpsilon: Double? { epsilon.last ?? nil }
}

/// Progress report handed to a `fit` callback after every epoch.
public struct TrainingProgress: Sendable, Equatable {
    /// 1-based epoch just finished.
    public var epoch: Int
    public var epochs: Int
    /// Steps taken so far.
    public var steps: Int
    /// Mean training loss of this epoch (not DP-protected).
    public var loss: Double
    /// ε spent so far, when known.
    public var epsilon: Double?
}
