import DPTestSupport
import PrivateLearning
import Testing

/// Finite-difference helpers shared by the plugin test suites.
enum PluginGradientChecks {
    /// Central differences of each example's own loss with respect to its predictions,
    /// compared with `perExampleGradient`.
    ///
    /// Tolerance derivation: losses are O(1) Float32 values (rounding ≈ 6e-8·|ℓ|), so the
    /// difference quotient carries ≈ 2·6e-8·|ℓ|/(2h) ≈ 1e-4 absolute error at h = 1e-3 (up
    /// to ~2e-3 for ℓ ≈ 16 at a clip bound); truncation is O(h²·ℓ''') ≲ 1e-4 away from kinks.
    static func checkLossGradient(_ loss: any Loss, predictions: Tensor, targets: Tensor, h: Float = 1e-3,
                                  rtol: Float = 1e-2, atol: Float = 2e-3,
                                  sourceLocation: SourceLocation = #_sourceLocation) {
        let analytic = loss.perExampleGradient(predictions: predictions, targets: targets)
        #expect(analytic.shape == predictions.shape, sourceLocation: sourceLocation)
        let k = predictions.columns
        var numeric = [Float](repeating: 0, count: predictions.count)
        for j in 0..<predictions.count {
            var up = predictions, down = predictions
            up.storage[j] += h
            down.storage[j] -= h
            let row = j / k
            numeric[j] = (loss.perExampleLoss(predictions: up, targets: targets)[row]
                          - loss.perExampleLoss(predictions: down, targets: targets)[row]) / (2 * h)
        }
        assertClose(analytic.storage, numeric, rtol: rtol, atol: atol, loss.typeName, sourceLocation: sourceLocation)
    }

    /// Per-example semantics: each row's loss and gradient computed alone equal the batch
    /// ones (no example sees another), and the `.sum` / `.mean` reductions combine them.
    static func checkPerExample(_ loss: any Loss, predictions: Tensor, targets: Tensor,
                                sourceLocation: SourceLocation = #_sourceLocation) {
        let batch = loss.perExampleLoss(predictions: predictions, targets: targets)
        let grad = loss.perExampleGradient(predictions: predictions, targets: targets)
        #expect(batch.count == predictions.rows, sourceLocation: sourceLocation)
        for i in 0..<predictions.rows {
            let p = predictions.gatheringRows([i]), t = targets.gatheringRows([i])
            assertClose(loss.perExampleLoss(predictions: p, targets: t), [batch[i]], rtol: 1e-6, sourceLocation: sourceLocation)
            assertClose(loss.perExampleGradient(predictions: p, targets: t).storage, grad.gatheringRows([i]).storage,
                        rtol: 1e-6, sourceLocation: sourceLocation)
        }
        let sum = batch.reduce(0, +)
        assertClose(loss.loss(predictions: predictions, targets: targets, reduction: .sum), [sum], rtol: 1e-6,
                    sourceLocation: sourceLocation)
        assertClose(loss.loss(predictions: predictions, targets: targets, reduction: .mean), [sum / Float(batch.count)],
                    rtol: 1e-6, sourceLocation: sourceLocation)
        #expect(loss.loss(predictions: predictions, targets: targets, reduction: .none) == batch, sourceLocation: sourceLocation)
    }
}
