import PrivateLearning

/// Mean squared error, per example the mean over its outputs of `(ŷ − y)²` (Keras semantics).
public struct MeanSquaredError: Loss, Sendable {
    public let typeName = "mean_squared_error"

    public init() {}

    public var configuration: PluginParameters { [:] }

    public func perExampleLoss(predictions: Tensor, targets: Tensor) -> [Float] {
        checkShapes(predictions, targets, typeName)
        let b = predictions.rows, k = predictions.columns
        var out = [Float](repeating: 0, count: b)
        for r in 0..<b {
            var s: Float = 0
            for j in 0..<k { let d = predictions.storage[r * k + j] - targets.storage[r * k + j]; s += d * d }
            out[r] = s / Float(k)
        }
        return out
    }

    public func perExampleGradient(predictions: Tensor, targets: Tensor) -> Tensor {
        checkShapes(predictions, targets, typeName)
        var g = predictions
        let scale = 2 / Float(max(predictions.columns, 1))
        for i in 0..<g.count { g.storage[i] = scale * (predictions.storage[i] - targets.storage[i]) }
        return g
    }
}
