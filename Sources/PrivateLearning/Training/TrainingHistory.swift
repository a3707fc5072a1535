/// What a `fit` did, epoch by epoch, and what privacy it spent.
///
/// Training loss of a private run (`PrivateModel.fit` with σ > 0) is never the exact mean of the
/// per-example losses: it is either a DP estimate of the mean **clipped** loss, released with its
/// own Gaussian noise and covered by the same ε (`lossIsPrivateEstimate == true`, see
/// `LossTracking`), or NaN when loss tracking is off. Non-private training (`Sequential.fit`,
/// or `PrivateModel.fit` with σ = 0) reports the exact mean loss.
public struct TrainingHistory: Sendable, Equatable {
    /// Training loss of each epoch. With `lossIsPrivateEstimate`: `(Σ_steps S_t) / (steps · q·N)`
    /// where `S_t = Σ_i min(max(ℓ_i, 0), lossClip) + N(0, (lossNoiseMultiplier·lossClip)²)` — an
    /// unbiased DP estimate of the mean clipped loss with noise std `lossNoiseStandardDeviation`
    /// (it may be negative or exceed the clip by chance). NaN for a private run with loss
    /// tracking off. Exact mean per-example loss for non-private training.
    public var loss: [Double] = []
    /// True when `loss` holds DP estimates (σ > 0 with `LossTracking.privateEstimate`); false
    /// when it holds exact values (non-private) or NaN (private, tracking off).
    public var lossIsPrivateEstimate: Bool = false
    /// Std of the DP noise in each `loss` entry: `σ_L·L / (q·N·√steps)` per epoch (empty unless
    /// `lossIsPrivateEstimate`). For an error bar: `loss[e] ± 2·lossNoiseStandardDeviation[e]`
    /// covers the mean clipped loss with ≈ 95% probability (noise only; the mean itself moves
    /// within the epoch while the model trains).
    public var lossNoiseStandardDeviation: [Double] = []
    /// L: per-example losses were clipped to [0, L] for the estimate (nil unless `lossIsPrivateEstimate`).
    public var lossClip: Double?
    /// σ_L: loss-sum noise std divided by L (nil unless `lossIsPrivateEstimate`).
    public var lossNoiseMultiplier: Double?
    /// Per-epoch training metrics by name (`accuracy` …): filled by non-private
    /// `Sequential.fit` only. `PrivateModel.fit` computes no metric on the private training data
    /// and leaves this empty (release test metrics through a DP mechanism instead).
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
    /// σ: the accounting noise multiplier of each step's whole release (gradient and, when
    /// tracked, loss); ε is computed from it.
    public var noiseMultiplier: Double?
    /// σ_g: gradient noise std divided by the clip norm C — `σ·√(1 + 1/k²)` with a private loss
    /// estimate, σ otherwise.
    public var gradientNoiseMultiplier: Double?
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
    /// Training loss of this epoch, with the meaning of `TrainingHistory.loss`: a DP estimate of
    /// the mean clipped loss when `lossIsPrivateEstimate`, NaN for a private run with loss
    /// tracking off, the exact mean for non-private training.
    public var loss: Double
    /// ε spent so far, when known.
    public var epsilon: Double?
    /// True when `loss` is a DP estimate (see `TrainingHistory.lossIsPrivateEstimate`).
    public var lossIsPrivateEstimate: Bool = false
    /// Std of the DP noise in `loss` (nil unless `lossIsPrivateEstimate`).
    public var lossNoiseStandardDeviation: Double? = nil
}
