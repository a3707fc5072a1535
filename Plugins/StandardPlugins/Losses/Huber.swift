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
        perExampleMeanOfElementLoss(predictions, targets, typeName) { d in
            let x = abs(d)
            return x <= delta ? 0.5 * x * x : delta * x - 0.5 * delta * delta
        }
    }

    public func perExampleGradient(predictions: Tensor, targets: Tensor) -> Tensor {
        perExampleGradientOfElementLoss(predictions, targets, typeName) { d in min(max(d, -delta), delta) }
    }
}
