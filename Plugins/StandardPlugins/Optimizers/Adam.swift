import PrivateLearning
import Foundation

/// Adam (Kingma & Ba 2015) with Keras defaults and bias correction.
public final class Adam: Optimizer {
    public let typeName = "adam"
    /// Step size α (> 0).
    public var learningRate: Float
    /// Decay of the first-moment estimate, in [0, 1).
    public var beta1: Float
    /// Decay of the second-moment estimate, in [0, 1).
    public var beta2: Float
    /// Added to the denominator for numerical stability (not a privacy parameter).
    public var epsilon: Float
    var m: [[Float]] = []
    var v: [[Float]] = []
    var t = 0

    /// Keras defaults: learning rate 0.001, β₁ 0.9, β₂ 0.999, ε̂ 1e-7.
    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7) {
        precondition(learningRate > 0 && (0..<1).contains(beta1) && (0..<1).contains(beta2) && epsilon > 0,
                     "Adam: learning rate > 0, betas in [0, 1), epsilon > 0")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public var configuration: PluginParameters {
        ["learning_rate": .decimal(learningRate), "beta_1": .decimal(beta1),
         "beta_2": .decimal(beta2), "epsilon": .decimal(epsilon)]
    }

    public func update(parameters: inout [Tensor], gradients: [Tensor]) {
        precondition(parameters.count == gradients.count, "Adam: parameter/gradient count mismatch")
        if m.count != parameters.count {
            m = parameters.map { [Float](repeating: 0, count: $0.count) }
            v = m
            t = 0
        }
        t += 1
        let b1 = beta1, b2 = beta2, eps = epsilon
        let lrT = learningRate * Float((1 - pow(Double(b2), Double(t))).squareRoot() / (1 - pow(Double(b1), Double(t))))
        for k in parameters.indices {
            gradients[k].storage.withUnsafeBufferPointer { g in
                m[k].withUnsafeMutableBufferPointer { mm in
                    v[k].withUnsafeMutableBufferPointer { vv in
                        parameters[k].storage.withUnsafeMutableBufferPointer { p in
                            for i in 0..<p.count {
                                mm[i] = b1 * mm[i] + (1 - b1) * g[i]
                                vv[i] = b2 * vv[i] + (1 - b2) * g[i] * g[i]
                                p[i] -= lrT * mm[i] / (vv[i].squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
    }
}
