import Foundation
import PrivateLearning

/// Categorical cross-entropy with integer class labels, Keras semantics:
/// `ℓ_i = −log p_{i, y_i}` where `y_i ∈ {0, …, K−1}` is stored as a Float.
///
/// Targets have one value per example (shape `[batch]` or `[batch, 1]`); predictions are
/// `[batch, K]`. Probabilities (default) are divided by their row sum and clipped to
/// `[1e-7, 1 − 1e-7]`; with `fromLogits == true` the stable log-softmax is used and the
/// gradient is `softmax(z) − onehot(y)`.
///
/// Labels must be integers in `[0, K)`: call `validateTargets(_:classes:)` on user data
/// before training (the `Loss` protocol cannot throw, so an invalid label traps).
public struct SparseCategoricalCrossentropy: Loss, Sendable {
    public let typeName = "sparse_categorical_crossentropy"
    /// Predictions are logits rather than probabilities.
    public var fromLogits: Bool

    public init(fromLogits: Bool = false) { self.fromLogits = fromLogits }

    public var configuration: PluginParameters { ["from_logits": .bool(fromLogits)] }

    /// Checks that every label is an integer class index in `[0, classes)`.
    /// - Throws: `PrivateLearningError.invalidTrainingData` giving the count of bad labels —
    ///   never their values or positions' contents.
    public func validateTargets(_ targets: Tensor, classes: Int) throws {
        let bad = targets.storage.reduce(0) { n, v in
            (v.rounded() == v && v >= 0 && v < Float(classes)) ? n : n + 1
        }
        if targets.count != targets.rows {
            throw PrivateLearningError.invalidTrainingData(
                "sparse_categorical_crossentropy needs one integer label per example, got label shape \(targets.shape); "
                + "use categorical_crossentropy for one-hot labels")
        }
        if bad > 0 {
            throw PrivateLearningError.invalidTrainingData(
                "sparse_categorical_crossentropy: \(bad) label(s) are not integer class indices in [0, \(classes))")
        }
    }

    @inline(__always)
    func label(_ v: Float, classes k: Int) -> Int {
        let c = Int(v)
        precondition(Float(c) == v && c >= 0 && c < k,
                     "sparse_categorical_crossentropy: a label is not a class index in [0, \(k)); validate targets first")
        return c
    }

    func checkShapes(_ p: Tensor, _ t: Tensor) {
        precondition(p.rank == 2 && t.count == p.rows && t.rows == p.rows,
                     "sparse_categorical_crossentropy: predictions \(p.shape) must be [batch, classes] and labels \(t.shape) one per example")
    }

    public func perExampleLoss(predictions: Tensor, targets: Tensor) -> [Float] {
        checkShapes(predictions, targets)
        let b = predictions.rows, k = predictions.columns
        var out = [Float](repeating: 0, count: b)
        var c = [Float](repeating: 0, count: k)
        predictions.storage.withUnsafeBufferPointer { pp in
            c.withUnsafeMutableBufferPointer { cc in
                for r in 0..<b {
                    let p = pp.baseAddress! + r &* k
                    let y = label(targets.storage[r], classes: k)
                    if fromLogits {
                        let (m, l) = ClassProbabilities.logSumExp(p, count: k)
                        out[r] = (m - p[y]) + l
                    } else {
                        _ = ClassProbabilities.normalizedClipped(p, count: k, into: cc.baseAddress!)
                        out[r] = -log(cc[y])
                    }
                }
            }
        }
        return out
    }

    public func perExampleGradient(predictions: Tensor, targets: Tensor) -> Tensor {
        checkShapes(predictions, targets)
        let b = predictions.rows, k = predictions.columns
        var g = predictions
        var c = [Float](repeating: 0, count: k)
        var onehot = [Float](repeating: 0, count: k)
        predictions.storage.withUnsafeBufferPointer { pp in
            g.storage.withUnsafeMutableBufferPointer { gg in
                c.withUnsafeMutableBufferPointer { cc in
                    onehot.withUnsafeMutableBufferPointer { t in
                        for r in 0..<b {
                            let p = pp.baseAddress! + r &* k, o = gg.baseAddress! + r &* k
                            let y = label(targets.storage[r], classes: k)
                            if fromLogits {
                                let (m, l) = ClassProbabilities.logSumExp(p, count: k)
                                for j in 0..<k { o[j] = exp((p[j] - m) - l) }
                                o[y] -= 1
                            } else {
                                t[y] = 1
                                let s = ClassProbabilities.normalizedClipped(p, count: k, into: cc.baseAddress!)
                                ClassProbabilities.probabilityGradient(row: p, targets: t.baseAddress!, clipped: cc.baseAddress!,
                                                                       sum: s, count: k, into: o)
                                t[y] = 0
                            }
                        }
                    }
                }
            }
        }
        return g
    }
}
