import DataParallel
import Foundation
import PrivateLearning
import StandardPlugins

/// Data-parallel DP-SGD checks on a small MLP (run by `dpflow-mpi-check train|noise` under mpirun).
enum DataParallelCheck {
    static let rows = 512, features = 16

    /// Deterministic data (the same on every rank; each rank keeps only its shard).
    static func data() -> (x: [[Float]], y: [[Float]]) {
        var state: UInt64 = 0x1234_5678
        func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
        }
        let x = (0..<rows).map { _ in (0..<features).map { _ in next() } }
        let y = x.map { r -> [Float] in [r[0] + 0.5 * r[1] - r[2] > 0 ? 1 : 0] }
        return (x, y)
    }

    static func model() throws -> Sequential {
        try Sequential(inputShape: [features], seed: 7) {
            Dense(64, activation: .relu)
            Dense(1, activation: .sigmoid)
        }
    }

    static func registry() throws -> PluginRegistry {
        var r = PluginRegistry()
        try StandardPlugins.register(into: &r)
        return r
    }

    /// Poisson sampling with a shared seed: every rank draws the same Bernoulli(q) for every global row and keeps
    /// the drawn rows of its shard, so the union over ranks is exactly the one-process batch.
    static func sampled(step: Int, q: Double, shard: RowShard) -> [Int] {
        var g = SeededRandomSource(seed: 1000 + UInt64(step))
        return (0..<rows).filter { row in
            let u = Double(g.next() >> 11) / Double(1 << 53)
            return u < q && shard.contains(row: row)
        }
    }

    static func batch(_ indices: [Int], _ data: (x: [[Float]], y: [[Float]])) -> TrainingBatch {
        let x = Tensor(shape: [indices.count, features], values: indices.flatMap { data.x[$0] })
        let y = Tensor(shape: [indices.count, 1], values: indices.flatMap { data.y[$0] })
        return TrainingBatch(features: x, labels: y)
    }

    /// T steps of plain-SGD DP training; returns the final parameters.
    static func train(reduction: any GradientReduction, shard: RowShard, sigma: Double, steps: Int, q: Double) throws -> [Float] {
        let m = try model()
        let data = data()
        let privatizer = GradientPrivatizer(clipping: FlatClipping(clip: 1), noise: GaussianNoise(source: SeededRandomSource(seed: 99)),
                                            reduction: reduction, gradientNoiseMultiplier: sigma, lossRelease: nil,
                                            registry: try registry(), threadCount: 1)
        for t in 0..<steps {
            let step = try privatizer.privatize(model: m, loss: BinaryCrossentropy(), batch: batch(sampled(step: t, q: q, shard: shard), data),
                                                expectedBatchSize: q * Double(rows))
            m.parameters = zip(m.parameters, step.gradients).map { p, g in
                Tensor(shape: p.shape, values: zip(p.storage, g.storage).map { $0 - 0.5 * $1 })
            }
        }
        return m.parameters.flatMap(\.storage)
    }

    /// σ = 0, fixed seed: K ranks train the same model as one process (up to float summation order).
    static func checkTraining(_ mpi: MPICommunicator) throws -> Bool {
        let shard = RowShard(rank: mpi.rank, size: mpi.size)
        let distributed = try train(reduction: mpi, shard: shard, sigma: 0, steps: 20, q: 0.125)
        let single = try train(reduction: LocalReduction(), shard: .all, sigma: 0, steps: 20, q: 0.125)
        let maxDiff = zip(distributed, single).map { abs($0 - $1) }.max() ?? .infinity
        let scale = single.map { abs($0) }.max() ?? 1
        // Every rank must hold the same parameters (the broadcast): sum of (rank-0 copy − own copy) is 0.
        var reference = distributed
        try mpi.broadcastFromRoot(&reference)
        let identical = reference == distributed
        let ok = maxDiff <= 1e-5 * max(1, scale) && identical
        print("rank \(mpi.rank)/\(mpi.size): train σ=0 20 steps: max |Δθ| vs one process = \(maxDiff) (\(ok ? "ok" : "WRONG")), "
              + "ranks identical: \(identical)")
        return ok
    }

    /// With noise: the std of (noisy − noiseless) update coordinates is σ·C/(qN) — noise added once, not K times.
    static func checkNoise(_ mpi: MPICommunicator) throws -> Bool {
        let shard = RowShard(rank: mpi.rank, size: mpi.size)
        let sigma = 2.0, q = 0.25, clip = 1.0
        let m = try model()
        let data = data()
        let b = batch(sampled(step: 0, q: q, shard: shard), data)
        func step(_ s: Double, seed: UInt64) throws -> [Float] {
            let p = GradientPrivatizer(clipping: FlatClipping(clip: clip), noise: GaussianNoise(source: SeededRandomSource(seed: seed)),
                                       reduction: mpi, gradientNoiseMultiplier: s, lossRelease: nil, registry: try registry())
            return try p.privatize(model: m, loss: BinaryCrossentropy(), batch: b, expectedBatchSize: q * Double(rows))
                .gradients.flatMap(\.storage)
        }
        let clean = try step(0, seed: 1)
        var noise: [Double] = []
        for seed in 0..<4 { noise += zip(try step(sigma, seed: 10 + UInt64(seed)), clean).map { Double($0 - $1) } }
        let n = Double(noise.count)
        let mean = noise.reduce(0, +) / n
        let std = (noise.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot()
        let expected = sigma * clip / (q * Double(rows))
        // The sample std of n Gaussians has relative standard error ≈ 1/√(2(n−1)); accept 5 of them. Noise added
        // K = 2 times would be √2 ≈ 1.41× too large, far outside.
        let tolerance = 5 / (2 * (n - 1)).squareRoot()
        let ok = abs(std / expected - 1) <= tolerance
        print("rank \(mpi.rank)/\(mpi.size): noise std \(String(format: "%.6g", std)) vs σC/(qN) = \(String(format: "%.6g", expected)) "
              + "(ratio \(String(format: "%.4f", std / expected)), tolerance ±\(String(format: "%.4f", tolerance)), n = \(Int(n))): \(ok ? "ok" : "WRONG")")
        return ok
    }
}
