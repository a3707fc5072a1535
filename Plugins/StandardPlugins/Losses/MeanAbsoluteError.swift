import PrivateLearning

/// Mean absolute error, per example the mean over its outputs of `|ŷ − y|` (Keras semantics).
///
/// The gradient is `sign(ŷ − y)/K` (0 where `ŷ = y`): bounded by `1/√K` in L2 per example
/// before the layers, so it tolerates outliers in the targets.
public struct MeanAbsoluteError: Loss, Sendable {
    public let typeName = "mean_absolute_error"

    public init() {}

    public var configuration: PluginParameters { [:] }

    public func perExampleLoss(predictions: Tensor, targets: Tensor) -> [Float] {
        checkRegressionShapes(predictions, targets, typeName)
        let b = predictions.rows, k = predictions.columns
        var out = [Float](repeating: 0, count: b)
        for r in 0..<b {
            var s: Float = 0
            for j in 0..<k { s += abs(predictions.storage[r &* k &+ j] - targets.storage[r &* k &+ j]) }
            out[r] = s / Float(k)
        }
        return out
    }

    public func perExampleGradient(predictions: Tensor, targets: Tensor) -> Tensor {
        checkRegressionShapes(predictions, targets, typeName)
        var g = predictions
        let scale = 1 / Float(max(predictions.columns, 1))
        for i in 0..<g.count {
            let d = predictions.storage[i] - targets.storage[i]
            g.storage[i] = d > 0 ? scale : (d < 0 ? -scale : 0)
        }
        return g
    }
}
