import PrivateLearning

/// Mean squared error, per example the mean over its outputs of `(ŷ − y)²` (Keras semantics).
public struct MeanSquaredError: Loss, Sendable {
    public let typeName = "mean_squared_error"

    public init() {}

    public var configuration: PluginParameters { [:] }

    public func perExampleLoss(predictions: Tensor, targets: Tensor) -> [Float] {
        perExampleMeanOfElementLoss(predictions, targets, typeName) { d in d * d }
    }

    public func perExampleGradient(predictions: Tensor, targets: Tensor) -> Tensor {
        perExampleGradientOfElementLoss(predictions, targets, typeName) { d in 2 * d }
    }
}
