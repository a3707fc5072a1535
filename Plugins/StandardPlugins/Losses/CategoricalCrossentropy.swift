import Foundation
import PrivateLearning

/// Categorical cross-entropy with one-hot (or soft) targets, Keras semantics:
/// `ℓ_i = −Σ_j y_ij · log p_ij`, summed over the classes of example `i`.
///
/// - With `fromLogits == false` (default) predictions are probabilities, e.g. a softmax
///   output; each row is divided by its sum and clipped to `[1e-7, 1 − 1e-7]` as Keras does.
/// - With `fromLogits == true` predictions are unnormalised scores and the stable
///   log-softmax `z_j − log Σ_k e^{z_k}` is used; the gradient is `softmax(z)·Σ_j y_j − y`.
///
/// `labelSmoothing` ε replaces targets by `y·(1 − ε) + ε/K` (K classes).
/// The loss of example `i` depends only on row `i`, so DP-SGD can clip it per example.
public struct CategoricalCrossentropy: Loss, Sendable {
    public let typeName = "categorical_crossentropy"
    /// Predictions are logits rather than probabilities.
    public var fromLogits: Bool
    /// Label smoothing in [0, 1].
    public var labelSmoothing: Float

    public init(fromLogits: Bool = false, labelSmoothing: Float = 0) {
        precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "categorical_crossentropy: label_smoothing in [0, 1]")
        self.fromLogits = fromLogits
        self.labelSmoothing = labelSmoothing
    }

    public var configuration: PluginParameters {
        ["from_logits": .bool(fromLogits), "label_smoothing": .decimal(labelSmoothing)]
    }

    func smoothedTargets(_ targets: Tensor, classes k: Int) -> [Float] {
        guard labelSmoothing > 0 else { return targets.storage }
        let a = 1 - labelSmoothing, b = labelSmoothing / Float(k)
        return targets.storage.map { $0 * a + b }
    }

    func checkShapes(_ p: Tensor, _ t: Tensor) {
        precondition(p.rank == 2 && p.count == t.count && p.rows == t.rows,
                     "categorical_crossentropy: predictions \(p.shape) and one-hot targets \(t.shape) must both be [batch, classes]")
    }

    public func perExampleLoss(predictions: Tensor, targets: Tensor) -> [Float] {
        checkShapes(predictions, targets)
        let b = predictions.rows, k = predictions.columns
        let y = smoothedTargets(targets, classes: k)
        var out = [Float](repeating: 0, count: b)
        var c = [Float](repeating: 0, count: k)
        predictions.storage.withUnsafeBufferPointer { pp in
            y.withUnsafeBufferPointer { yy in
                c.withUnsafeMutableBufferPointer { cc in
                    for r in 0..<b {
                        let p = pp.baseAddress! + r &* k, t = yy.baseAddress! + r &* k
                        var s: Float = 0
                        if fromLogits {
                            let (m, l) = ClassProbabilities.logSumExp(p, count: k)
                            for j in 0..<k where t[j] != 0 { s += t[j] * ((m - p[j]) + l) }
                        } else {
                            _ = ClassProbabilities.normalizedClipped(p, count: k, into: cc.baseAddress!)
                            for j in 0..<k where t[j] != 0 { s -= t[j] * log(cc[j]) }
                        }
                        out[r] = s
                    }
                }
            }
        }
        return out
    }

    public func perExampleGradient(predictions: Tensor, targets: Tensor) -> Tensor {
        checkShapes(predictions, targets)
        let b = predictions.rows, k = predictions.columns
        let y = smoothedTargets(targets, classes: k)
        var g = predictions
        var c = [Float](repeating: 0, count: k)
        predictions.storage.withUnsafeBufferPointer { pp in
            y.withUnsafeBufferPointer { yy in
                g.storage.withUnsafeMutableBufferPointer { gg in
                    c.withUnsafeMutableBufferPointer { cc in
                        for r in 0..<b {
                            let p = pp.baseAddress! + r &* k, t = yy.baseAddress! + r &* k, o = gg.baseAddress! + r &* k
                            if fromLogits {
                                let (m, l) = ClassProbabilities.logSumExp(p, count: k)
                                var ySum: Float = 0
                                for j in 0..<k { ySum += t[j] }
                                for j in 0..<k { o[j] = exp((p[j] - m) - l) * ySum - t[j] }
                            } else {
                                let s = ClassProbabilities.normalizedClipped(p, count: k, into: cc.baseAddress!)
                                ClassProbabilities.probabilityGradient(row: p, targets: t, clipped: cc.baseAddress!, sum: s, count: k, into: o)
                            }
                        }
                    }
                }
            }
        }
        return g
    }
}
