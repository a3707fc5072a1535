import PrivateLearning

extension LayerNormalization {
    /// Squared per-unit gradient norms, registered as LayerNormalization's norm sampler.
    ///
    /// A unit's γ and β gradients are length-F vectors, `Σ_{rows of u} dy ⊙ x̂` and `Σ_{rows of u} dy`:
    /// computed per unit in O(rows·F) time and O(F) memory, then squared and summed.
    public static func squaredNorms(_ layer: LayerNormalization, _ input: NormSamplerInput) -> [Float] {
        let s = savedValue(input.saved, as: Saved.self, layer: layer.typeName)
        let f = layer.features, m = layer.rowsPerExample
        let normalized = s.normalized, outputGradient = input.outputGradient.storage
        let units = input.units
        var out = [Float](repeating: 0, count: units.count)
        if m == 1, units.isPerExample {
            // One normalised row per example: ‖dy ⊙ x̂‖² + ‖dy‖² directly, no accumulators.
            outputGradient.withUnsafeBufferPointer { dyy in
                normalized.withUnsafeBufferPointer { hh in
                    for i in 0..<units.count {
                        let y = dyy.baseAddress! + i &* f, h = hh.baseAddress! + i &* f
                        var s: Float = 0
                        if layer.scale { for j in 0..<f { let v = y[j] * h[j]; s += v * v } }
                        if layer.center { s += VectorMath.sumOfSquares(y, count: f) }
                        out[i] = s
                    }
                }
            }
            return out
        }
        var gg = [Float](repeating: 0, count: f), gb = [Float](repeating: 0, count: f)
        for u in 0..<units.count {
            for j in 0..<f { gg[j] = 0; gb[j] = 0 }
            for i in units.rows(of: u) {
                for r in (i &* m)..<((i &+ 1) &* m) {
                    let base = r &* f
                    for j in 0..<f {
                        let d = outputGradient[base &+ j]
                        gg[j] += d * normalized[base &+ j]
                        gb[j] += d
                    }
                }
            }
            var s: Float = 0
            if layer.scale { for j in 0..<f { s += gg[j] * gg[j] } }
            if layer.center { for j in 0..<f { s += gb[j] * gb[j] } }
            out[u] = s
        }
        return out
    }
}
