import Foundation
import PrivateLearning
import StandardPlugins

/// `dpflow-bench --cnn [N]`: the TF Privacy tutorial CNN on synthetic 28×28×1 images (N rows, default 20,480), batch
/// 256: Conv2D 16@8×8 stride 2 same, relu → MaxPool 2 stride 1 → Conv2D 32@4×4 stride 2 valid, relu → MaxPool 2
/// stride 1 → Flatten → Dense 32 relu → Dense 10 (softmax). One epoch plain (`Sequential.fit`, shuffled batches) vs
/// private (Poisson batches, per-example clipping through the conv norm samplers, secure noise, all cores by the
/// privatizer's batch split), best of 2 alternating rounds.
func runTutorialCNN(rows: Int, registry: PluginRegistry) throws {
    let batch = 256
    let g = SeededRandomSource(seed: 7)
    var gen = g
    let x = Tensor(shape: [rows, 784], values: (0..<(rows * 784)).map { _ in Float.random(in: 0..<1, using: &gen) })
    let y = Tensor(shape: [rows, 1], values: (0..<rows).map { _ in Float(Int.random(in: 0..<10, using: &gen)) })
    func model() throws -> Sequential {
        try Sequential(inputShape: [784], seed: 1) {
            Reshape(targetShape: [28, 28, 1])
            Convolution(spatialRank: 2, filters: 16, kernelSize: [8, 8], strides: [2, 2], padding: .same, activation: .relu)
            Pooling(.max, spatialRank: 2, poolSize: [2, 2], strides: [1, 1])
            Convolution(spatialRank: 2, filters: 32, kernelSize: [4, 4], strides: [2, 2], padding: .valid, activation: .relu)
            Pooling(.max, spatialRank: 2, poolSize: [2, 2], strides: [1, 1])
            Flatten()
            Dense(32, activation: .relu)
            Dense(10, activation: .softmax)
        }
    }
    let plain = try model()
    plain.compile(optimizer: SGD(learningRate: 0.1), loss: SparseCategoricalCrossentropy())
    let privateNet = try model()
    let dp = try PrivateModel(model: privateNet, l2NormClip: 1, noiseMultiplier: 1.1, registry: registry)
    dp.compile(optimizer: SGD(learningRate: 0.1), loss: SparseCategoricalCrossentropy())
    let loader = try PoissonLoader(features: x, labels: y, batchSize: batch)
    let clock = ContinuousClock()
    var plainSeconds = Double.infinity, privateSeconds = Double.infinity
    for round in 0..<2 {
        let t0 = clock.now
        _ = try plain.fit(x, y, epochs: 1, batchSize: batch, seed: UInt64(round + 2))
        plainSeconds = min(plainSeconds, seconds(clock.now - t0))
        let t1 = clock.now
        let history = try dp.fit(loader, epochs: 1, targetDelta: 1e-5)
        privateSeconds = min(privateSeconds, seconds(clock.now - t1))
        precondition(history.isPrivate)
    }
    print("tutorial CNN (28×28×1, batch \(batch), \(rows) rows, BLAS threads \(LinearAlgebra.threadCount), private threads \(dp.threadCount))")
    print(String(format: "plain %.0f ex/s   private %.0f ex/s   private/plain epoch time %.3f",
                 Double(rows) / plainSeconds, Double(rows) / privateSeconds, privateSeconds / plainSeconds))
}
