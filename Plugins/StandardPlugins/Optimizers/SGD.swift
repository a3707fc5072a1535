import PrivateLearning

/// Stochastic gradient descent with optional momentum and Nesterov momentum (Keras semantics):
/// `v ← m·v − lr·g`; `p ← p + v` (or `p ← p + m·v − lr·g` with Nesterov).
public final class SGD: Optimizer {
    public let typeName = "sgd"
    /// Step size (> 0).
    public var learningRate: Float
    /// Momentum in [0, 1).
    public var momentum: Float
    /// Use Nesterov momentum.
    public var nesterov: Bool
    var velocity: [[Float]] = []

    /// Keras defaults: learning rate 0.01, no momentum.
    public init(learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false) {
        precondition(learningRate > 0 && momentum >= 0 && momentum < 1, "SGD: learning rate > 0, momentum in [0, 1)")
        self.learningRate = learningRate
        self.momentum = momentum
        self.nesterov = nesterov
    }

    public var configuration: PluginParameters {
        ["learning_rate": .double(Double(learningRate)), "momentum": .double(Double(momentum)), "nesterov": .bool(nesterov)]
    }

    public func update(parameters: inout [Tensor], gradients: [Tensor]) {
        precondition(parameters.count == gradients.count, "SGD: parameter/gradient count mismatch")
        if momentum == 0 {
            for k in parameters.indices {
                let lr = learningRate
                gradients[k].storage.withUnsafeBufferPointer { g in
                    parameters[k].storage.withUnsafeMutableBufferPointer { p in
                        for i in 0..<p.count { p[i] -= lr * g[i] }
                    }
                }
            }
            return
        }
        if velocity.count != parameters.count { velocity = parameters.map { [Float](repeating: 0, count: $0.count) } }
        for k in parameters.indices {
            let lr = learningRate, m = momentum, nest = nesterov
            gradients[k].storage.withUnsafeBufferPointer { g in
                velocity[k].withUnsafeMutableBufferPointer { v in
                    parameters[k].storage.withUnsafeMutableBufferPointer { p in
                        for i in 0..<p.count {
                            v[i] = m * v[i] - lr * g[i]
                            p[i] += nest ? m * v[i] - lr * g[i] : v[i]
                        }
                    }
                }
            }
        }
    }
}
