import Foundation
import PrivateLearning
import StandardPlugins

/// `dpflow-bench --text [N]`: the issue-10 text benchmarks on N synthetic token sequences (default 10,240) of length
/// 256, batch 256, plain (`Sequential.fit`, shuffled batches) vs private (Poisson batches, per-example clipping through
/// the embedding and recurrent norm samplers, secure noise, all cores by the privatizer's batch split), one epoch,
/// best of 2 alternating rounds:
/// - embedding bag: Embedding 10,000×16 (mask_zero) → GlobalAveragePooling1D (masked) → Dense 16 relu → Dense 2 softmax;
/// - GRU: Embedding 10,000×16 (mask_zero) → GRU(32) → Dense 2 softmax.
/// Sequences have a random length in [32, 256], padded with 0 at the end; tokens are Zipf-like over the vocabulary.
func runTextModels(rows: Int, registry: PluginRegistry) throws {
    let batch = 256, steps = 256, vocabulary = 10_000
    var gen = SeededRandomSource(seed: 11)
    var tokens = [Float](repeating: 0, count: rows * steps)
    for r in 0..<rows {
        let length = Int.random(in: 32...steps, using: &gen)
        for t in 0..<length {
            // Zipf-like: frequent tokens dominate, as in text.
            let u = Double.random(in: 0..<1, using: &gen)
            tokens[r * steps + t] = Float(1 + min(vocabulary - 2, Int(pow(Double(vocabulary - 1), u)) - 1))
        }
    }
    let x = Tensor(shape: [rows, steps], values: tokens)
    let y = Tensor(shape: [rows, 1], values: (0..<rows).map { _ in Float(Int.random(in: 0..<2, using: &gen)) })
    let models: [(String, () throws -> Sequential)] = [
        ("embedding bag (Embedding 10000x16 → GAP1D → Dense 16 → Dense 2)", {
            try Sequential(inputShape: [steps], seed: 1) {
                Embedding(inputDim: vocabulary, outputDim: 16, maskZero: true)
                GlobalPooling(.average, spatialRank: 1)
                Dense(16, activation: .relu)
                Dense(2, activation: .softmax)
            }
        }),
        ("GRU(32) (Embedding 10000x16 → GRU 32 → Dense 2)", {
            try Sequential(inputShape: [steps], seed: 1) {
                Embedding(inputDim: vocabulary, outputDim: 16, maskZero: true)
                Recurrent(.gru, units: 32)
                Dense(2, activation: .softmax)
            }
        }),
    ]
    let only = CommandLine.arguments.firstIndex(of: "--text-model").flatMap { Int(CommandLine.arguments[$0 + 1]) }
    for (k, (name, make)) in models.enumerated() where only == nil || only == k {
        let plain = try make()
        plain.compile(optimizer: SGD(learningRate: 0.1), loss: SparseCategoricalCrossentropy())
        let privateNet = try make()
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
        print("\(name): length \(steps), batch \(batch), \(rows) rows, BLAS threads \(LinearAlgebra.threadCount), private threads \(dp.threadCount)")
        print(String(format: "  plain %.0f ex/s   private %.0f ex/s   private/plain epoch time %.3f",
                     Double(rows) / plainSeconds, Double(rows) / privateSeconds, privateSeconds / plainSeconds))
    }
}
