/// Everything one DP-SGD step computes on a batch (`PrivateModel.privatizedStep`).
///
/// `gradients` and `noisyClippedLossSum` are the step's DP release (one Gaussian mechanism
/// with the model's accounting noise multiplier σ, see `LossTracking`); `perExampleLosses` is
/// **not** protected and must stay inside the trust boundary (tests, custom loops).
public struct PrivatizedStep: Sendable {
    /// `(Σ_i clip_C(g_i) + N(0, σ_g²C²I)) / (q·N)`, one tensor per model parameter in
    /// `model.parameters` order.
    public var gradients: [Tensor]
    /// `Σ_i min(max(ℓ_i, 0), L) + N(0, (σ_L·L)²)` — not divided by anything (loss units × examples).
    /// nil when loss tracking is `.off`. With σ = 0 it is the exact clipped sum.
    public var noisyClippedLossSum: Double?
    /// σ_L·L, the std of the noise in `noisyClippedLossSum` (nil with `.off`).
    public var lossSumNoiseStandardDeviation: Double?
    /// ℓ_i of every drawn example, unclipped and without noise. NOT DP-protected.
    public var perExampleLosses: [Float]

    public init(gradients: [Tensor], noisyClippedLossSum: Double?, lossSumNoiseStandardDeviation: Double?,
                perExampleLosses: [Float]) {
        self.gradients = gradients
        self.noisyClippedLossSum = noisyClippedLossSum
        self.lossSumNoiseStandardDeviation = lossSumNoiseStandardDeviation
        self.perExampleLosses = perExampleLosses
    }
}
