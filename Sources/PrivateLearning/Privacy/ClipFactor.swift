/// The per-example clip factor of DP-SGD, computed so that the clipped gradient never exceeds
/// the clip norm C after rounding.
///
/// The textbook factor `min(1, C/‖g‖)` evaluated in Float can leave `‖c·g‖` one ulp above C
/// (C/‖g‖ rounds up, then the product rounds up again), and the squared norm it starts from is
/// itself a rounded Float sum. Either way the sensitivity bound the accountant assumes would be
/// exceeded by a hair. Here the factor is computed in Double against a clip norm shrunk by
/// `relativeMargin` (2⁻²⁰ ≈ 9.5e-7, i.e. 16 Float ulps) and rounded *down* to Float, so
/// `‖fl(c·g)‖ ≤ C` holds whenever the squared norm it is given is accurate to better than
/// ~1.9e-6 relative, which the Double accumulation of the per-layer norms keeps. Norms in
/// (C·(1 − 2⁻²⁰), C] are scaled by at most 1 − 2⁻²⁰: a change far below any training effect.
public enum ClipFactor {
    /// Relative safety margin applied to the clip norm (16 ulps of Float).
    public static let relativeMargin = 0x1p-20

    /// Factor c ∈ [0, 1] for an example with squared gradient norm `squaredNorm` and clip norm `clip`.
    /// A non-finite or negative squared norm (overflow, NaN) gives 0: the example's contribution is
    /// dropped, which keeps the sensitivity bound (a NaN would otherwise pass `min` unclipped).
    @inline(__always)
    public static func factor(squaredNorm: Double, clip: Double) -> Float {
        guard squaredNorm.isFinite, squaredNorm >= 0, clip > 0 else { return 0 }
        let target = clip * (1 - relativeMargin)
        let norm = squaredNorm.squareRoot()
        if norm <= target { return 1 }
        let c = target / norm
        // Round toward zero: Float(c) may round up.
        var f = Float(c)
        if Double(f) > c { f = f.nextDown }
        return max(0, f)
    }
}
