import DPTestSupport
import ExamplePlugin
import PrivateLearning
import StandardPlugins
import Testing

/// The new layers and losses inside a whole model under DP-SGD: each example's gradient norm
/// over *all* layers, and the clipped sum, against a brute-force one-example-at-a-time
/// computation of the full model gradient.
@Suite("Plugins: layers inside a private model")
struct PluginModelTests {
    /// gated_linear (generic fallback) → layer_normalization (fast path) → dropout (fixed
    /// mask) → dense (fast path) → softmax, trained with sparse categorical cross-entropy;
    /// and an embedding → flatten → dense → sigmoid stack with binary cross-entropy.
    static func models() throws -> [(Sequential, Tensor, Tensor, any Loss)] {
        let dropout = Dropout(rate: 0.25, seed: 1)
        dropout.fixMask([1, 0, 1, 1, 1, 0])
        let mixed = try Sequential(inputShape: [5], layers: [
            GatedLinear(units: 6), LayerNormalization(), dropout, Dense(3), Activation(.softmax),
        ], seed: 21)
        let x1 = Fixtures.gaussian(shape: [7, 5], seed: 5)
        let y1 = Tensor(shape: [7, 1], values: [0, 2, 1, 1, 0, 2, 2])

        let tokens = try Sequential(inputShape: [4], layers: [
            Embedding(inputDim: 9, outputDim: 3), Flatten(), Dense(1, activation: .sigmoid),
        ], seed: 22)
        let x2 = Tensor(shape: [6, 4], values: [0, 1, 2, 3, 3, 3, 8, 1, 5, 5, 5, 5, 7, 0, 7, 2, 4, 6, 8, 1, 2, 2, 0, 0])
        let y2 = Tensor(shape: [6, 1], values: [1, 0, 1, 0, 0, 1])
        return [(mixed, x1, y1, SparseCategoricalCrossentropy()), (tokens, x2, y2, BinaryCrossentropy())]
    }

    /// Full-model gradient of example i alone (its own forward and backward pass).
    static func singleExampleGradient(_ model: Sequential, _ x: Tensor, _ y: Tensor, _ i: Int, _ loss: any Loss) -> [Float] {
        let xi = x.gatheringRows([i]), yi = y.gatheringRows([i])
        return model.weightedGradients(xi, yi, loss: loss).flatMap(\.storage)
    }

    @Test("per-example norms over all layers equal brute force, and the clipped sum (σ = 0) equals Σ min(1, C/‖g_i‖)·g_i / B")
    func clippedSumMatchesBruteForce() throws {
        for (model, x, y, loss) in try Self.models() {
            let b = x.rows
            let brute = (0..<b).map { Self.singleExampleGradient(model, x, y, $0, loss) }
            let bruteNorms = brute.map { g in g.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot() }

            let clip = Double(bruteNorms.sorted()[b / 2])      // the median: some examples clipped, some not
            let dp = try PrivateModel(model: model, l2NormClip: clip, noiseMultiplier: 0, noise: .seeded(3))
            dp.compile(optimizer: SGD(), loss: loss)
            assertClose(try dp.perExampleGradientNorms(features: x, labels: y), bruteNorms, rtol: 1e-4, atol: 1e-6, "norms")

            let (grads, _) = try dp.privatizedGradients(features: x, labels: y, expectedBatchSize: Double(b))
            var expected = [Float](repeating: 0, count: brute[0].count)
            for i in 0..<b {
                let factor = min(1, Float(clip) / bruteNorms[i])
                for j in expected.indices { expected[j] += factor * brute[i][j] / Float(b) }
            }
            assertClose(grads.flatMap(\.storage), expected, rtol: 1e-4, atol: 1e-6, "clipped mean")
            #expect(bruteNorms.contains { $0 > Float(clip) * 1.01 }, "the check exercises clipping")
        }
    }

    @Test("DP-SGD with layer_normalization and dropout reaches ≥ 90% test accuracy on breast cancer")
    func privateTrainingWithNormalizationAndDropout() throws {
        let data = try CoreBreastCancerTests.load()
        var r = PluginRegistry()
        try StandardPlugins.register(into: &r)
        let model = try Sequential(inputShape: [30], layers: [
            try r.makeLayer("dense", parameters: ["units": .int(16), "activation": .string("relu")]),
            try r.makeLayer("layer_normalization"),
            try r.makeLayer("dropout", parameters: ["rate": .double(0.1), "seed": .int(4)]),
            try r.makeLayer("dense", parameters: ["units": .int(1), "activation": .string("sigmoid")]),
        ], seed: 9)
        let dp = try PrivateModel(model: model, l2NormClip: 1, noiseMultiplier: 1, noise: .seeded(12))
        dp.compile(optimizer: try r.makeOptimizer("adamw", parameters: ["learning_rate": .double(0.01)]),
                   loss: try r.makeLoss("binary_crossentropy"), metrics: [.accuracy])
        let loader = try PoissonLoader(features: data.trainX, labels: data.trainY, batchSize: 32)
        _ = try dp.fit(loader, epochs: 20, targetDelta: 1e-5)
        let accuracy = try #require(try dp.evaluate(data.testX, data.testY)["accuracy"])
        #expect(accuracy >= 0.90, "test accuracy \(accuracy)")
    }
}
