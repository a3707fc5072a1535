import PrivateLearning

/// Adagrad (Duchi et al. 2011), Keras semantics: `a ← a + g²`; `p ← p − lr·g/√(a + ε)`,
/// with the accumulator `a` starting at `initialAccumulatorValue`.
///
/// Under DP-SGD the gradients it accumulates are already noised: the accumulator grows with
/// the noise variance σ²C²/B² per coordinate, which damps the step size over time.
public final class Adagrad: Optimizer {
    public let typeName = "adagrad"
    /// Step size (> 0).
    public var learningRate: Float
    /// Starting value of every accumulator (≥ 0).
    public var initialAccumulatorValue: Float
    /// Added inside the square root (> 0).
    public var epsilon: Float
    var accumulators: [[Float]] = []

    public init(learningRate: Float = 0.001, initialAccumulatorValue: Float = 0.1, epsilon: Float = 1e-7) {
        precondition(learningRate > 0 && initialAccumulatorValue >= 0 && epsilon > 0,
                     "Adagrad: learning rate > 0, initial accumulator ≥ 0, epsilon > 0")
        self.learningRate = learningRate
        self.initialAccumulatorValue = initialAccumulatorValue
        self.epsilon = epsilon
    }

    public var configuration: PluginParameters {
        ["learning_rate": .decimal(learningRate),
         "initial_accumulator_value": .decimal(initialAccumulatorValue), "epsilon": .decimal(epsilon)]
    }

    public func update(parameters: inout [Tensor], gradients: [Tensor]) {
        precondition(parameters.count == gradients.count, "Adagrad: parameter/gradient count mismatch")
        if accumulators.count != parameters.count {
            accumulators = parameters.map { [Float](repeating: initialAccumulatorValue, count: $0.count) }
        }
        let lr = learningRate, eps = epsilon
        for k in parameters.indices {
            precondition(parameters[k].count == gradients[k].count, "Adagrad: gradient \(k) has the wrong size")
            gradients[k].storage.withUnsafeBufferPointer { g in
                accumulators[k].withUnsafeMutableBufferPointer { a in
                    parameters[k].storage.withUnsafeMutableBufferPointer { p in
                        for i in 0..<p.count {
                            a[i] += g[i] * g[i]
                            p[i] -= lr * g[i] / (a[i] + eps).squareRoot()
                        }
                    }
                }
            }
        }
    }
}
