import PrivateLearning

extension Embedding {
    /// Squared per-unit gradient norms, registered as Embedding's norm sampler.
    ///
    /// A unit's gradient has one non-zero row per distinct token its rows contain, the sum of its
    /// output-gradient rows at that token's positions: `‖g_u‖² = Σ_t ‖Σ_{(i,p): i∈u, x_ip = t} dy_ip‖²`
    /// (tokens repeated within a unit add up before the norm). O(|u|·L·D) per unit, never O(V·D).
    public static func squaredNorms(_ layer: Embedding, _ input: NormSamplerInput) -> [Float] {
        let s = savedValue(input.saved, as: Saved.self, layer: layer.typeName)
        let d = layer.outputDim, length = layer.length, tokens = s.tokens
        let outputGradient = input.outputGradient.storage
        let units = input.units
        var out = [Float](repeating: 0, count: units.count)
        var slot: [Int: Int] = [:]
        var sums: [Float] = []
        for u in 0..<units.count {
            let rows = units.rows(of: u)
            slot.removeAll(keepingCapacity: true)
            let needed = rows.count * length * d
            if sums.count < needed { sums = [Float](repeating: 0, count: needed) }
            for i in rows {
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
            }
            var total: Float = 0
            for j in 0..<(slot.count * d) { total += sums[j] * sums[j] }
            out[u] = total
        }
        return out
    }
}
