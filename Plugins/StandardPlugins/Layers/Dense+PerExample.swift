import PrivateLearning

extension Dense: PerExampleGradientNorms {
    /// `‖x_i‖²·‖δ_i‖²` (kernel, an outer product's Frobenius norm) plus `‖δ_i‖²` (bias).
    public func perExampleSquaredGradientNorms() -> [Float] {
        let xs = input.rowSquaredNorms()
        let ds = delta.rowSquaredNorms()
        var out = [Float](repeating: 0, count: ds.count)
        for i in 0..<ds.count { out[i] = xs[i] * ds[i] + (useBias ? ds[i] : 0) }
        return out
    }
}
