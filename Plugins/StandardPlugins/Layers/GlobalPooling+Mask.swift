import PrivateLearning

extension GlobalPooling: SequenceMaskingLayer {
    /// With a mask, `global_average_pooling1d` averages the real steps only:
    /// `y_b = Σ_t m_bt x_bt / max(Σ_t m_bt, 1)` (an example with no real step gives 0 rather than
    /// Keras' 0/0). Other kinds and ranks ignore the mask, as in Keras. No mask follows.
    public func forward(_ input: Tensor, mask: SequenceMask?, training: Bool) -> (output: Tensor, saved: any Sendable, mask: SequenceMask?) {
        guard let mask, kind == .average, spatialRank == 1, mask.steps == positions, mask.batchSize == input.rows else {
            let (y, saved) = forward(input, training: training)
            return (y, saved, nil)
        }
        let b = input.rows, t = positions, c = channels
        var weights = [Float](repeating: 0, count: b * t)
        for i in 0..<b {
            var count = 0
            for s in 0..<t where mask.isReal(example: i, step: s) { count += 1 }
            let w = 1 / Float(max(count, 1))
            for s in 0..<t where mask.isReal(example: i, step: s) { weights[i * t + s] = w }
        }
        var out = [Float](repeating: 0, count: b * c)
        if c > 0 {
            input.storage.withUnsafeBufferPointer { a in weights.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in
                for i in 0..<b {
                    LinearAlgebra.gemv(transpose: true, rows: t, columns: c, alpha: 1, a: a.baseAddress! + i * t * c,
                                       x: x.baseAddress! + i * t, beta: 0, y: y.baseAddress! + i * c)
                }
            } } }
        }
        return (Tensor(shape: [b, c], values: out), Saved(winners: [], batch: b, positionWeights: weights), nil)
    }

    /// `dx_bt = w_bt · dy_b`.
    static func weightedAverageBackward(_ dy: [Float], weights: [Float], batch: Int, positions: Int, channels: Int) -> [Float] {
        var dx = [Float](repeating: 0, count: batch * positions * channels)
        for b in 0..<batch {
            for t in 0..<positions {
                let w = weights[b * positions + t]
                if w == 0 { continue }
                let at = (b * positions + t) * channels
                for ch in 0..<channels { dx[at + ch] = dy[b * channels + ch] * w }
            }
        }
        return dx
    }
}
