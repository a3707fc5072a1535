/// How `PrivateModel.fit` reports the training loss of a private run (σ > 0).
///
/// The exact mean training loss is a statistic of the private data and is not covered by the
/// gradient noise, so a private run never reports it. Instead, on every step and on the same
/// Poisson batch as the gradient, `PrivateModel` can release the **clipped loss sum**
///
///     S = Σ_i min(max(ℓ_i, 0), L) + N(0, (σ_L·L)²)
///
/// next to the noisy gradient sum `Σ_i clip_C(g_i) + N(0, (σ_g·C)² I)`.
///
/// **Accounting.** In units of the noise, one example changes the pair of sums by the vector
/// `(ḡ_i/(σ_g·C), ℓ̄_i/(σ_L·L))`, whose squared norm is at most `1/σ_g² + 1/σ_L²`. Both sums
/// with their independent noise are therefore one Gaussian mechanism with unit noise and
/// L2 sensitivity `(1/σ_g² + 1/σ_L²)^(1/2)`, i.e. with noise multiplier
/// `σ_eff = (σ_g⁻² + σ_L⁻²)^(−1/2)`, applied to the same Poisson sample. `PrivateModel` keeps
/// its public `noiseMultiplier` σ as the accounting noise multiplier of the whole step release
/// and splits it: with ratio k = σ_L/σ_g,
///
///     σ_g = σ·√(1 + 1/k²),   σ_L = k·σ_g   ⇒   1/σ_g² + 1/σ_L² = (1 + 1/k²)/σ_g² = 1/σ²,
///
/// so ε is that of the subsampled Gaussian with (q, σ) exactly as without loss tracking, and
/// every caller of the accounting (budgets, calibration, ledgers) is unchanged. The price is
/// gradient noise larger by √(1 + 1/k²): +3.1% for the default k = 4 (+11.8% for k = 2,
/// +0.8% for k = 8).
///
/// **What is reported.** Per epoch `(Σ_steps S) / (steps · q·N)`: an unbiased DP estimate of the
/// mean **clipped** loss (clipped to [0, L]), divided by the expected number of examples seen
/// (never the drawn one). Its noise standard deviation is `σ_L·L / (q·N·√steps)`; values can
/// be negative or above L by chance.
public enum LossTracking: Sendable, Equatable {
    /// Release a DP estimate of the mean clipped training loss every epoch (the default).
    /// - Parameters:
    ///   - noiseRatio: k = σ_L/σ_g > 0. Larger k: gradient noise nearer σ, noisier loss estimate.
    ///   - clip: L > 0, every per-example loss is clipped to [0, L] before summing (the
    ///     sensitivity of the loss sum). The default 4 covers a cross-entropy −log p for
    ///     p ≥ e⁻⁴ ≈ 0.018 (binary or categorical), i.e. everything but confidently wrong
    ///     predictions; raise it for losses on a larger scale (e.g. MSE on unscaled targets).
    case privateEstimate(noiseRatio: Double = LossTracking.defaultNoiseRatio, clip: Double = LossTracking.defaultClip)
    /// No loss release: the gradient noise multiplier is σ itself (the behaviour before loss
    /// tracking existed) and a private run's `TrainingHistory.loss` holds NaN for every epoch.
    case off

    /// Default k = σ_L/σ_g.
    public static let defaultNoiseRatio = 4.0
    /// Default per-example loss clip L (cross-entropy of p ≥ 0.018).
    public static let defaultClip = 4.0

    /// Gradient noise multiplier σ_g for an accounting noise multiplier σ:
    /// `σ·√(1 + 1/k²)` with a private estimate, σ with `.off`.
    public func gradientNoiseMultiplier(accountingNoiseMultiplier sigma: Double) -> Double {
        switch self {
        case .off: return sigma
        case .privateEstimate(let k, _): return sigma * (1 + 1 / (k * k)).squareRoot()
        }
    }

    /// Loss noise multiplier σ_L = k·σ_g for an accounting noise multiplier σ (nil with `.off`).
    public func lossNoiseMultiplier(accountingNoiseMultiplier sigma: Double) -> Double? {
        switch self {
        case .off: return nil
        case .privateEstimate(let k, _): return k * gradientNoiseMultiplier(accountingNoiseMultiplier: sigma)
        }
    }

    /// L, the per-example loss clip (nil with `.off`).
    public var lossClip: Double? {
        switch self {
        case .off: return nil
        case .privateEstimate(_, let clip): return clip
        }
    }
}
