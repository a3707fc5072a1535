import PrivateLearning

/// Applies an activation function; no parameters.
public final class Activation: Layer, PerExampleGradientNorms {
    public let typeName = "activation"
    public let function: ActivationFunction
    public var parameters: [Tensor] = []
    var z = Tensor(zeros: [0])
    var a = Tensor(zeros: [0])

    /// - Parameter function: the activation, applied to each example's features.
    public init(_ function: ActivationFunction) { self.function = function }

    public var configuration: PluginParameters { ["activation": .string(function.rawValue)] }

    public func build(inputShape: [Int], index: Int, using generator: inout any RandomNumberGenerator) throws -> [Int] {
        if function == .softmax, inputShape.count != 1 {
            throw PrivateLearningError.incompatibleShape(layer: typeName, index: index, inputShape: inputShape,
                                                         reason: "softmax needs a flat feature vector per example")
        }
        return inputShape
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        let out = function.apply(input)
        if training { z = input; a = out }
        return out
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        function.backward(z: z, a: a, outputGradient: outputGradient)
    }

    public func parameterGradients(exampleWeights: [Float]?) -> [Tensor] { [] }

    public func perExampleSquaredGradientNorms() -> [Float] { [Float](repeating: 0, count: z.rows) }
}
