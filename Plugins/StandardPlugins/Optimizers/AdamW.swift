import Foundation
import PrivateLearning

/// Adam with decoupled weight decay (Loshchilov & Hutter 2019), Keras 3 semantics:
/// first `p ← p − lr·λ·p`, then the bias-corrected Adam step
/// `p ← p − lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m/(√v + ε)`.
///
/// Weight decay uses only the parameters, never data: under DP-SGD it is post-processing and
/// costs no privacy. It applies to every parameter tensor (biases included), as Keras does
/// by default.
public final class AdamW: Optimizer {
    public let typeName = "adamw"
    /// Step size (> 0).
    public var learningRate: Float
    /// Decoupled weight decay λ ≥ 0 (per unit learning rate; Keras default 0.004).
    public var weightDecay: Float
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    var m: [[Float]] = []
    var v: [[Float]] = []
    var t = 0

    public init(learningRate: Float = 0.001, weightDecay: Float = 0.004, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-7) {
        precondition(learningRate > 0 && weightDecay >= 0 && (0..<1).contains(beta1) && (0..<1).contains(beta2) && epsilon > 0,
                     "AdamW: learning rate > 0, weight decay ≥ 0, betas in [0, 1), epsilon > 0")
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public var configuration: PluginParameters {
        ["learning_rate": .decimal(learningRate), "weight_decay": .decimal(weightDecay),
         "beta_1": .decimal(beta1), "beta_2": .decimal(beta2), "epsilon": .decimal(epsilon)]
    }

    public func update(parameters: inout [Tensor], gradients: [Tensor]) {
        precondition(parameters.count == gradients.count, "AdamW: parameter/gradient count mismatch")
        if m.count != parameters.count {
            m = parameters.map { [Float](repeating: 0, count: $0.count) }
            v = m
            t = 0
        }
        t += 1
        let b1 = beta1, b2 = beta2, eps = epsilon, decay = learningRate * weightDecay
        let lrT = learningRate * Float((1 - pow(Double(b2), Double(t))).squareRoot() / (1 - pow(Double(b1), Double(t))))
        for k in parameters.indices {
            precondition(parameters[k].count == gradients[k].count, "AdamW: gradient \(k) has the wrong size")
            gradients[k].storage.withUnsafeBufferPointer { g in
                m[k].withUnsafeMutableBufferPointer { mm in
                    v[k].withUnsafeMutableBufferPointer { vv in
                        parameters[k].storage.withUnsafeMutableBufferPointer { p in
                            for i in 0..<p.count {
                                p[i] -= decay * p[i]
                                mm[i] += (g[i] - mm[i]) * (1 - b1)
                                vv[i] += (g[i] * g[i] - vv[i]) * (1 - b2)
                                p[i] -= lrT * mm[i] / (vv[i].squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
    }
}
