import DPTestSupport
import PrivateLearning
import StandardPlugins
import Testing

@Suite("Core: losses")
struct CoreLossTests {
    /// Central finite differences of each example's own loss, in Double where possible.
    func checkGradient(_ loss: any Loss, predictions: Tensor, targets: Tensor) {
        let analytic = loss.perExampleGradient(predictions: predictions, targets: targets)
        var numeric = [Float](repeating: 0, count: predictions.count)
        let k = predictions.columns
        for j in 0..<predictions.count {
            let h: Float = 1e-3
            var up = predictions, down = predictions
            up.storage[j] += h
            down.storage[j] -= h
            let row = j / k
            let lu = loss.perExampleLoss(predictions: up, targets: targets)[row]
            let ld = loss.perExampleLoss(predictions: down, targets: targets)[row]
            numeric[j] = (lu - ld) / (2 * h)
        }
        // Float32 losses of size O(1): rounding error ≈ 1e-7/1e-3 = 1e-4, truncation O(h²).
        assertClose(analytic.storage, numeric, rtol: 1e-2, atol: 2e-3, loss.typeName)
    }

    @Test("binary cross-entropy on probabilities: per-example gradient matches finite differences")
    func bceProbabilities() {
        let p = Tensor(shape: [4, 2], values: [0.1, 0.8, 0.5, 0.3, 0.95, 0.2, 0.6, 0.7])
        let y = Tensor(shape: [4, 2], values: [0, 1, 1, 0, 1, 0, 0, 1])
        checkGradient(BinaryCrossentropy(), predictions: p, targets: y)
    }

    @Test("binary cross-entropy from logits: gradient and agreement with the probability form")
    func bceLogits() {
        let z = Tensor(shape: [3, 1], values: [-2, 0.3, 4])
        let y = Tensor(shape: [3, 1], values: [0, 1, 1])
        checkGradient(BinaryCrossentropy(fromLogits: true), predictions: z, targets: y)
        let p = ActivationFunction.sigmoid.apply(z)
        assertClose(BinaryCrossentropy(fromLogits: true).perExampleLoss(predictions: z, targets: y),
                    BinaryCrossentropy().perExampleLoss(predictions: p, targets: y), rtol: 1e-4)
    }

    @Test("mean squared error: gradient and reductions")
    func mse() {
        let p = Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6])
        let y = Tensor(shape: [3, 2], values: [1, 1, 1, 1, 1, 1])
        checkGradient(MeanSquaredError(), predictions: p, targets: y)
        let per = MeanSquaredError().perExampleLoss(predictions: p, targets: y)
        #expect(per == [0.5, 6.5, 20.5])
        #expect(MeanSquaredError().loss(predictions: p, targets: y, reduction: .sum) == [27.5])
        #expect(MeanSquaredError().loss(predictions: p, targets: y, reduction: .mean) == [27.5 / 3])
    }
}
