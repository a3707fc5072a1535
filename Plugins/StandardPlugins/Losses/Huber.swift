import PrivateLearning

/// Huber loss (Keras semantics), per example the mean over its outputs of
/// `½x²` for `|x| ≤ δ` and `δ·|x| − ½δ²` otherwise, with `x = ŷ − y`.
///
/// Quadratic near the target, linear far from it: the per-example output gradient is
/// bounded by `δ` per coordinate, which keeps outliers from dominating before clipping.
public struct Huber: Loss, Sendable {
    public let typeName = "huber"
    /// δ > 0, where the loss turns from quadratic to linear (in target units).
    public var delta: Float

    public init(delta: Float = 1) {
        precondition(delta > 0, "huber: delta > 0")
        self.delta = delta
    }

    public var configuration: PluginParameters { ["delta": .decimal(delta)] }

    public func perExampleLoss(predictions: Tensor, targets: Tensor) -> [Float] {
        checkRegressionShapes(predictions, targets, typeName)
        let b = predictions.rows, k = predictions.columns
        var out = [Float](repeating: 0, count: b)
        for r in 0..<b {
            var s: Float = 0
            for j in 0..<k {
                let x = abs(predictions.storage[r &* k &+ j] - targets.storage[r &* k &+ j])
                s += x <= delta ? 0.5 * x * x : delta * x - 0.5 * delta * delta
            }
            out[r] = s / Float(k)
        }
        return out
    }

    public func perExampleGradient(predictions: Tensor, targets: Tensor) -> Tensor {
        checkRegressionShapes(predictions, targets, typeName)
        var g = predictions
        let scale = 1 / Float(max(predictions.columns, 1))
        for i in 0..<g.count {
            let x = predictions.storage[i] - targets.storage[i]
            g.storage[i] = min(max(x, -delta), delta) * scale
        }
        return g
    }
}
