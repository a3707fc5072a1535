import Foundation
import PrivateLearning

/// Row-wise helpers shared by the cross-entropy losses (one example per row).
///
/// Keras semantics for probabilities: each row is first divided by its sum, then clipped to
/// `[ε, 1 − ε]` with `ε = 1e-7`. For logits the log-softmax is computed with the max trick.
enum ClassProbabilities {
    /// Keras' `backend.epsilon()`.
    static let epsilon: Float = 1e-7

    /// `p / Σp` clipped to `[ε, 1 − ε]`, and the row sum `S` (for the gradient).
    @inline(__always)
    static func normalizedClipped(_ row: UnsafePointer<Float>, count k: Int, into out: UnsafeMutablePointer<Float>) -> Float {
        var s: Float = 0
        for j in 0..<k { s += row[j] }
        let inv = s > 0 ? 1 / s : 0
        for j in 0..<k { out[j] = min(max(row[j] * inv, epsilon), 1 - epsilon) }
        return s
    }

    /// `log Σ_j e^{z_j}` split as `(m, log1p(Σ_{j≠argmax} e^{z_j − m}))` with `m = max_j z_j`,
    /// so that `z_y − lse` is computed as `(z_y − m) − log1p(…)` without cancelling at `m`:
    /// a confident correct logit gets its small loss to full relative precision.
    @inline(__always)
    static func logSumExp(_ z: UnsafePointer<Float>, count k: Int) -> (max: Float, log1pRest: Float) {
        var m = -Float.infinity, arg = 0
        for j in 0..<k where z[j] > m { m = z[j]; arg = j }
        if !m.isFinite { return (m, 0) }
        var rest: Float = 0
        for j in 0..<k where j != arg { rest += exp(z[j] - m) }
        return (m, log1p(rest))
    }

    /// Gradient of `−Σ_j y_j log(clip(p_j / S))` with respect to `p`, given the clipped
    /// normalised row `c` and the row sum `S`:
    /// `∂ℓ/∂p_k = (g_k − Σ_j g_j·(p_j/S)) / S` with `g_j = −y_j / c_j`.
    ///
    /// Where a probability was clipped, `g_j` still uses the clipped value (a straight-through
    /// choice, unlike the zero derivative of a hard clip): a confidently wrong softmax output
    /// keeps a gradient pointing the right way instead of stalling. Away from the clip
    /// bounds this is exactly the derivative; after a softmax, the `Σ_j` shift term cancels
    /// and the composition equals `softmax(z) − y`.
    @inline(__always)
    static func probabilityGradient(row p: UnsafePointer<Float>, targets y: UnsafePointer<Float>, clipped c: UnsafePointer<Float>,
                                    sum s: Float, count k: Int, into out: UnsafeMutablePointer<Float>) {
        guard s > 0 else {
            for j in 0..<k { out[j] = 0 }
            return
        }
        let inv = 1 / s
        var shift: Float = 0
        for j in 0..<k {
            let g = -y[j] / c[j]
            out[j] = g
            shift += g * p[j] * inv
        }
        for j in 0..<k { out[j] = (out[j] - shift) * inv }
    }
}
