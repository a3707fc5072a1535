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
    public var learningRate: Float {
        get { adam.learningRate }
        set { adam.learningRate = newValue }
    }
    /// Decoupled weight decay λ ≥ 0 (per unit learning rate; Keras default 0.004).
    public var weightDecay: Float
    public var beta1: Float { adam.beta1 }
    public var beta2: Float { adam.beta2 }
    public var epsilon: Float { adam.epsilon }
    /// The Adam step that follows the decay (its moments and step count are AdamW's).
    let adam: Adam

    public init(learningRate: Float = 0.001, weightDecay: Float = 0.004, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-7) {
        precondition(weightDecay >= 0, "AdamW: weight decay ≥ 0")
        self.weightDecay = weightDecay
        self.adam = Adam(learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon)
    }

    public var configuration: PluginParameters {
        ["learning_rate": .decimal(learningRate), "weight_decay": .decimal(weightDecay),
         "beta_1": .decimal(beta1), "beta_2": .decimal(beta2), "epsilon": .decimal(epsilon)]
    }

    public func update(parameters: inout [Tensor], gradients: [Tensor]) {
        precondition(parameters.count == gradients.count, "AdamW: parameter/gradient count mismatch")
        let decay = learningRate * weightDecay
        if decay != 0 {
            for k in parameters.indices {
                parameters[k].storage.withUnsafeMutableBufferPointer { p in
                    for i in 0..<p.count { p[i] -= decay * p[i] }
                }
            }
        }
        adam.update(parameters: &parameters, gradients: gradients)
    }
}
