import Foundation
import PrivateLearning

/// Focal binary cross-entropy (Lin et al. 2017), the same values as Keras'
/// `binary_focal_crossentropy` without class balancing: per output
/// `(1 − p_t)^γ · BCE(y, p)` with `p_t = y·p + (1 − y)·(1 − p)`, averaged over the outputs of
/// each example. γ = 0 is plain binary cross-entropy; larger γ down-weights examples the
/// model already gets right.
///
/// A loss plugin only maps each example's predictions to its own loss and gradient; DP-SGD
/// clips and noises whatever gradient comes out, so the loss needs no privacy logic.
public struct FocalBinaryCrossentropy: Loss, Sendable {
    public let typeName = "focal_binary_crossentropy"
    /// Focusing exponent γ ≥ 0.
    public var gamma: Float
    /// Predictions are logits (a sigmoid is applied first) rather than probabilities.
    public var fromLogits: Bool
    static let epsilon: Float = 1e-7

    public init(gamma: Float = 2, fromLogits: Bool = false) {
        precondition(gamma >= 0, "focal_binary_crossentropy: gamma ≥ 0")
        self.gamma = gamma
        self.fromLogits = fromLogits
    }

    public var configuration: PluginParameters { ["gamma": .double(Double("\(gamma)") ?? Double(gamma)), "from_logits": .bool(fromLogits)] }

    func probability(_ v: Float) -> Float { fromLogits ? 1 / (1 + exp(-v)) : v }

    /// Loss and derivative with respect to the probability `p`, for one output.
    func term(p: Float, y: Float) -> (loss: Float, dp: Float) {
        let pc = min(max(p, Self.epsilon), 1 - Self.epsilon)
        let bce = -(y * log(pc) + (1 - y) * log(1 - pc))
        let dbce = (pc - y) / (pc * (1 - pc))
        let q = max(1 - (y * p + (1 - y) * (1 - p)), 0)          // 1 − p_t
        let factor = pow(q, gamma)
        let dfactor = gamma > 0 && q > 0 ? -gamma * pow(q, gamma - 1) * (2 * y - 1) : 0
        return (factor * bce, dfactor * bce + factor * dbce)
    }

    public func perExampleLoss(predictions: Tensor, targets: Tensor) -> [Float] {
        precondition(predictions.count == targets.count && predictions.rows == targets.rows,
                     "focal_binary_crossentropy: predictions \(predictions.shape) and targets \(targets.shape) differ")
        let b = predictions.rows, k = predictions.columns
        return (0..<b).map { r in
            var s: Float = 0
            for j in 0..<k {
                s += term(p: probability(predictions.storage[r * k + j]), y: targets.storage[r * k + j]).loss
            }
            return s / Float(k)
        }
    }

    public func perExampleGradient(predictions: Tensor, targets: Tensor) -> Tensor {
        precondition(predictions.count == targets.count && predictions.rows == targets.rows,
                     "focal_binary_crossentropy: predictions \(predictions.shape) and targets \(targets.shape) differ")
        var g = predictions
        let k = Float(predictions.columns)
        for i in 0..<g.count {
            let p = probability(predictions.storage[i])
            let dp = term(p: p, y: targets.storage[i]).dp
            g.storage[i] = (fromLogits ? dp * p * (1 - p) : dp) / k
        }
        return g
    }
}
