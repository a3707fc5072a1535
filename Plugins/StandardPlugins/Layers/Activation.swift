import PrivateLearning

/// Applies an activation function; no parameters.
public final class Activation: Layer {
    public let typeName = "activation"
    public let function: ActivationFunction
    public var parameters: [Tensor] = []

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

    /// Saved by `forward`: the input z and the output a.
    struct Saved: Sendable { var z: Tensor; var a: Tensor }

    public func forward(_ input: Tensor, training: Bool) -> (output: Tensor, saved: any Sendable) {
        let out = function.apply(input)
        return (out, Saved(z: input, a: out))
    }

    public func backward(_ outputGradient: Tensor, saved: any Sendable) -> Tensor {
        let s = savedValue(saved, as: Saved.self, layer: typeName)
        return function.backward(z: s.z, a: s.a, outputGradient: outputGradient)
    }

    public func parameterGradients(outputGradient: Tensor, saved: any Sendable, exampleWeights: [Float]?) -> [Tensor] { [] }
}
