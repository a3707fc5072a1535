import PrivateLearning
import Foundation

/// Binary cross-entropy, per example the mean over its outputs (Keras semantics).
///
/// With `fromLogits == false` predictions are probabilities, clipped to `[1e-7, 1 − 1e-7]`
/// as Keras does; with `fromLogits == true` they are logits and the stable form
/// `max(x,0) − x·y + log(1 + e^{−|x|})` is used.
public struct BinaryCrossentropy: Loss, Sendable {
    public let typeName = "binary_crossentropy"
    public var fromLogits: Bool
    static let epsilon: Float = 1e-7

    public init(fromLogits: Bool = false) { self.fromLogits = fromLogits }

    public var configuration: PluginParameters { ["from_logits": .bool(fromLogits)] }

    public func perExampleLoss(predictions: Tensor, targets: Tensor) -> [Float] {
        checkShapes(predictions, targets, typeName)
        let b = predictions.rows, k = predictions.columns
        var out = [Float](repeating: 0, count: b)
        for r in 0..<b {
            var s: Float = 0
            for j in 0..<k {
                let p = predictions.storage[r * k + j], y = targets.storage[r * k + j]
                if fromLogits {
                    s += max(p, 0) - p * y + log1p(exp(-abs(p)))
                } else {
                    let pc = min(max(p, Self.epsilon), 1 - Self.epsilon)
                    s -= y * log(pc) + (1 - y) * log(1 - pc)
                }
            }
            out[r] = s / Float(k)
        }
        return out
    }

    public func perExampleGradient(predictions: Tensor, targets: Tensor) -> Tensor {
        checkShapes(predictions, targets, typeName)
        var g = predictions
        let k = Float(predictions.columns)
        for i in 0..<predictions.count {
            let p = predictions.storage[i], y = targets.storage[i]
            if fromLogits {
                g.storage[i] = (ActivationFunction.sigmoid(p) - y) / k
            } else {
                let pc = min(max(p, Self.epsilon), 1 - Self.epsilon)
                g.storage[i] = (pc - y) / (pc * (1 - pc)) / k
            }
        }
        return g
    }
}
