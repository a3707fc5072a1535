import PrivateLearning

extension LayerNormalization: PerExampleGradientNorms {
    /// Each example's γ and β gradients are length-F vectors, `Σ_rows dy ⊙ x̂` and `Σ_rows dy`:
    /// computed per example in O(rows·F) time and O(F) memory, then squared and summed.
    public func perExampleSquaredGradientNorms() -> [Float] {
        let f = features, m = rowsPerExample
        var out = [Float](repeating: 0, count: batchSize)
        if m == 1 {
            // One normalised row per example: ‖dy ⊙ x̂‖² + ‖dy‖² directly, no accumulators.
            outputGradient.withUnsafeBufferPointer { dyy in
                normalized.withUnsafeBufferPointer { hh in
                    for i in 0..<batchSize {
                        let y = dyy.baseAddress! + i &* f, h = hh.baseAddress! + i &* f
                        var s: Float = 0
                        if scale { for j in 0..<f { let v = y[j] * h[j]; s += v * v } }
                        if center { s += VectorMath.sumOfSquares(y, count: f) }
                        out[i] = s
                    }
                }
            }
            return out
        }
        var gg = [Float](repeating: 0, count: f), gb = [Float](repeating: 0, count: f)
        for i in 0..<batchSize {
            for j in 0..<f { gg[j] = 0; gb[j] = 0 }
            for r in (i &* m)..<((i &+ 1) &* m) {
                let base = r &* f
                for j in 0..<f {
                    let d = outputGradient[base &+ j]
                    gg[j] += d * normalized[base &+ j]
                    gb[j] += d
                }
            }
            var s: Float = 0
            if scale { for j in 0..<f { s += gg[j] * gg[j] } }
            if center { for j in 0..<f { s += gb[j] * gb[j] } }
            out[i] = s
        }
        return out
    }
}
