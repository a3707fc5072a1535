import PrivateLearning

/// Flattens each example to a feature vector: `[B, d₁, …, dₙ] → [B, d₁·…·dₙ]` (row-major,
/// Keras `channels_last`). No parameters; examples never interact.
public final class Flatten: Layer {
    public let typeName = "flatten"
    public var parameters: [Tensor] = []
    var inputShape: [Int] = []

    public init() {}

    public var configuration: PluginParameters { [:] }

    public func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw PrivateLearningError.incompatibleShape(layer: typeName, index: index, inputShape: inputShape,
                                                         reason: "flatten needs a non-empty per-example shape")
        }
        self.inputShape = inputShape
        return [inputShape.reduce(1, *)]
    }

    public func forward(_ input: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        (input.reshaped([input.rows, input.columns]), ())
    }

    public func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor {
        outputGradient.reshaped([outputGradient.rows] + inputShape)
    }

    public func parameterGradients(outputGradient: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] { [] }
}
