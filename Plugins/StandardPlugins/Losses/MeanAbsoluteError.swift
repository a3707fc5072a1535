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
        perExampleMeanOfElementLoss(predictions, targets, typeName) { d in abs(d) }
    }

    public func perExampleGradient(predictions: Tensor, targets: Tensor) -> Tensor {
        perExampleGradientOfElementLoss(predictions, targets, typeName) { d in d > 0 ? 1 : (d < 0 ? -1 : 0) }
    }
}
