import PrivateLearning

/// RMSprop (Hinton 2012), Keras semantics:
/// `v ← ρ·v + (1 − ρ)·g²`; with `centered`, also `ḡ ← ρ·ḡ + (1 − ρ)·g` and the denominator
/// uses `v − ḡ²`; the increment is `lr·g/√(denominator + ε)`; with momentum `μ > 0`,
/// `b ← μ·b + increment; p ← p − b`, else `p ← p − increment`.
public final class RMSprop: Optimizer {
    public let typeName = "rmsprop"
    /// Step size (> 0).
    public var learningRate: Float
    /// Discount of the squared-gradient average, in [0, 1).
    public var rho: Float
    /// Momentum in [0, 1).
    public var momentum: Float
    /// Added inside the square root (> 0).
    public var epsilon: Float
    /// Normalise by the gradient's estimated variance rather than its second moment.
    public var centered: Bool
    var velocity: [[Float]] = []
    var averageGradient: [[Float]] = []
    var momentumBuffer: [[Float]] = []

    public init(learningRate: Float = 0.001, rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7,
                centered: Bool = false) {
        precondition(learningRate > 0 && (0..<1).contains(rho) && (0..<1).contains(momentum) && epsilon > 0,
                     "RMSprop: learning rate > 0, rho and momentum in [0, 1), epsilon > 0")
        self.learningRate = learningRate
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered
    }

    public var configuration: PluginParameters {
        ["learning_rate": .decimal(learningRate), "rho": .decimal(rho), "momentum": .decimal(momentum),
         "epsilon": .decimal(epsilon), "centered": .bool(centered)]
    }

    public func update(parameters: inout [Tensor], gradients: [Tensor]) {
        precondition(parameters.count == gradients.count, "RMSprop: parameter/gradient count mismatch")
        if velocity.count != parameters.count {
            velocity = parameters.map { [Float](repeating: 0, count: $0.count) }
            averageGradient = centered ? velocity : []
            momentumBuffer = momentum > 0 ? velocity : []
        }
        let lr = learningRate, r = rho, mu = momentum, eps = epsilon
        for k in parameters.indices {
            precondition(parameters[k].count == gradients[k].count, "RMSprop: gradient \(k) has the wrong size")
            for i in 0..<parameters[k].count {
                let g = gradients[k].storage[i]
                velocity[k][i] = r * velocity[k][i] + (1 - r) * g * g
                var denominator = velocity[k][i]
                if centered {
                    averageGradient[k][i] = r * averageGradient[k][i] + (1 - r) * g
                    denominator -= averageGradient[k][i] * averageGradient[k][i]
                }
                let increment = lr * g / (denominator + eps).squareRoot()
                if mu > 0 {
                    momentumBuffer[k][i] = mu * momentumBuffer[k][i] + increment
                    parameters[k].storage[i] -= momentumBuffer[k][i]
                } else {
                    parameters[k].storage[i] -= increment
                }
            }
        }
    }
}
