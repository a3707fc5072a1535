import PrivateLearning

extension Dense {
    /// Squared per-unit gradient norms, registered as Dense's norm sampler.
    ///
    /// Every row its own unit: `‖x_i‖²·‖δ_i‖²` (kernel, an outer product's Frobenius norm) plus
    /// `‖δ_i‖²` (bias). Units of several rows: the unit's kernel gradient is `Σ_{i∈u} x_i δ_iᵀ`, whose
    /// squared norm is the Gram identity `Σ_{i,j∈u} (x_i·x_j)(δ_i·δ_j)`, plus `‖Σ_{i∈u} δ_i‖²` (bias).
    /// - Complexity: O(B·(inputs + units)) per example; O(Σ_u |u|²·(inputs + units)) with units.
    public static func squaredNorms(_ layer: Dense, _ input: NormSamplerInput) -> [Float] {
        let s = savedValue(input.saved, as: Saved.self, layer: layer.typeName)
        let delta = layer.delta(input.outputGradient, saved: s)
        let units = input.units
        if units.isPerExample {
            let xs = s.input.rowSquaredNorms()
            let ds = delta.rowSquaredNorms()
            var out = [Float](repeating: 0, count: ds.count)
            for i in 0..<ds.count { out[i] = xs[i] * ds[i] + (layer.useBias ? ds[i] : 0) }
            return out
        }
        let d = layer.inputFeatures, p = layer.units
        var out = [Float](repeating: 0, count: units.count)
        s.input.storage.withUnsafeBufferPointer { xx in
            delta.storage.withUnsafeBufferPointer { dd in
                for u in 0..<units.count {
                    let rows = units.rows(of: u)
                    var total = 0.0
                    for i in rows {
                        for j in rows where j >= i {
                            let xdot = Double(VectorMath.dot(xx.baseAddress! + i * d, xx.baseAddress! + j * d, count: d))
                            let ddot = Double(VectorMath.dot(dd.baseAddress! + i * p, dd.baseAddress! + j * p, count: p))
                            // (x_i·x_j + 1)(δ_i·δ_j) counts the bias term Σ_{i,j} δ_i·δ_j = ‖Σ δ_i‖² too.
                            let term = (xdot + (layer.useBias ? 1 : 0)) * ddot
                            total += i == j ? term : 2 * term
                        }
                    }
                    out[u] = Float(max(0, total))
                }
            }
        }
        return out
    }
}
