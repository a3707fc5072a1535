import PrivateLearning

extension Embedding: PerExampleGradientNorms {
    /// Example `i`'s gradient has one non-zero row per distinct token it contains, the sum of
    /// its output-gradient rows at that token's positions: `‖g_i‖² = Σ_t ‖Σ_{p: x_ip = t} dy_ip‖²`.
    /// O(L·D) per example (plus O(L) grouping), never O(V·D).
    public func perExampleSquaredGradientNorms() -> [Float] {
        let d = outputDim
        var out = [Float](repeating: 0, count: batchSize)
        var slot: [Int: Int] = [:]
        var sums = [Float](repeating: 0, count: length * d)
        for i in 0..<batchSize {
            slot.removeAll(keepingCapacity: true)
            for p in 0..<length {
                let k = i &* length &+ p
                let s: Int
                if let existing = slot[tokens[k]] { s = existing } else {
                    s = slot.count
                    slot[tokens[k]] = s
                    for j in 0..<d { sums[s &* d &+ j] = 0 }
                }
                for j in 0..<d { sums[s &* d &+ j] += outputGradient[k &* d &+ j] }
            }
            var total: Float = 0
            for j in 0..<(slot.count * d) { total += sums[j] * sums[j] }
            out[i] = total
        }
        return out
    }
}
