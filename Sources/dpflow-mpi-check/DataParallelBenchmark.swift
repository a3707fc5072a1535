import DataParallel
import Foundation
import PrivateLearning
import StandardPlugins

/// `dpflow-mpi-check bench [mlp|cnn] [steps]`, alone (1 process) or under `mpirun -np K`: data-parallel DP-SGD
/// steps at a global expected batch of 1024 (each rank Poisson-samples its shard with the global q), printing
/// examples/s and the share of the step time spent inside the MPI collectives (all-reduce of the clipped sums,
/// broadcast of the noisy sum). Release builds only give meaningful figures.
enum DataParallelBenchmark {
    /// Wraps the communicator and adds up the wall time spent inside its collectives.
    final class TimedReduction: GradientReduction, @unchecked Sendable {
        let mpi: MPICommunicator
        private(set) var seconds = 0.0
        private(set) var bytes = 0
        init(_ mpi: MPICommunicator) { self.mpi = mpi }
        var isRoot: Bool { mpi.isRoot }
        private func timed(_ count: Int, _ body: () throws -> Void) rethrows {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            seconds += Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            bytes += count
        }
        func sumAcrossWorkers(_ values: inout [Double]) throws { let n = values.count * 8; try timed(n) { try mpi.allreduceSum(&values) } }
        func sumAcrossWorkers(_ values: inout [Float]) throws { let n = values.count * 4; try timed(n) { try mpi.allreduceSum(&values) } }
        func broadcastFromRoot(_ values: inout [Float]) throws { let n = values.count * 4; try timed(n) { try mpi.broadcastFromRoot(&values) } }
    }

    static let globalBatch = 1024

    static func mlp() throws -> (Sequential, features: Int, classes: Int) {
        (try Sequential(inputShape: [32], seed: 1) {
            Dense(512, activation: .relu)
            Dense(512, activation: .relu)
            Dense(1, activation: .sigmoid)
        }, 32, 1)
    }

    /// The TF Privacy tutorial CNN (as `dpflow-bench --cnn`).
    static func cnn() throws -> (Sequential, features: Int, classes: Int) {
        (try Sequential(inputShape: [784], seed: 1) {
            Reshape(targetShape: [28, 28, 1])
            Convolution(spatialRank: 2, filters: 16, kernelSize: [8, 8], strides: [2, 2], padding: .same, activation: .relu)
            Pooling(.max, spatialRank: 2, poolSize: [2, 2], strides: [1, 1])
            Convolution(spatialRank: 2, filters: 32, kernelSize: [4, 4], strides: [2, 2], padding: .valid, activation: .relu)
            Pooling(.max, spatialRank: 2, poolSize: [2, 2], strides: [1, 1])
            Flatten()
            Dense(32, activation: .relu)
            Dense(10, activation: .softmax)
        }, 784, 10)
    }

    /// Runs `steps` steps; prints one line on rank 0. `mpi` nil: one process.
    static func run(_ mpi: MPICommunicator?, model kind: String, steps: Int, registry: PluginRegistry) throws {
        let rank = mpi?.rank ?? 0, size = mpi?.size ?? 1
        let (model, features, classes) = kind == "cnn" ? try cnn() : try mlp()
        // Global N = 8 × 1024 rows, q = 1/8; each rank generates only its shard's rows.
        let rows = 8 * globalBatch
        let shard = RowShard(rank: rank, size: size)
        let mine = (0..<rows).filter { shard.contains(row: $0) }
        var gen = SeededRandomSource(seed: 11 + UInt64(rank))
        let x = Tensor(shape: [mine.count, features], values: (0..<(mine.count * features)).map { _ in Float.random(in: 0..<1, using: &gen) })
        let y = Tensor(shape: [mine.count, 1], values: (0..<mine.count).map { _ in
            Float(classes == 1 ? Int.random(in: 0...1, using: &gen) : Int.random(in: 0..<classes, using: &gen)) })
        let loss: any Loss = classes == 1 ? BinaryCrossentropy() : SparseCategoricalCrossentropy()
        let reduction = mpi.map(TimedReduction.init)
        var privatizer = GradientPrivatizer(clipping: FlatClipping(clip: 1), noise: GaussianNoise(source: SecureRandomSource()),
                                            reduction: reduction ?? LocalReduction(), gradientNoiseMultiplier: 1.1,
                                            lossRelease: nil, registry: registry,
                                            threadCount: ProcessInfo.processInfo.activeProcessorCount)
        privatizer.minimumRowsPerSlice = 16
        let q = Double(globalBatch) / Double(rows)
        var sampler = SeededRandomSource(seed: 100 + UInt64(rank))
        func oneStep() throws -> Int {
            let idx = PoissonLoader.poissonIndices(count: mine.count, samplingRate: q, using: &sampler)
            let batch = TrainingBatch(features: x.gatheringRows(idx), labels: y.gatheringRows(idx))
            let step = try privatizer.privatize(model: model, loss: loss, batch: batch, expectedBatchSize: Double(globalBatch))
            model.parameters = zip(model.parameters, step.gradients).map { p, g in
                Tensor(shape: p.shape, values: zip(p.storage, g.storage).map { $0 - 0.05 * $1 })
            }
            return idx.count
        }
        _ = try oneStep()   // warm-up (not timed)
        try mpi?.barrier()
        let before = reduction?.seconds ?? 0, bytesBefore = reduction?.bytes ?? 0
        let clock = ContinuousClock()
        let t0 = clock.now
        var examples = 0
        for _ in 0..<steps { examples += try oneStep() }
        try mpi?.barrier()
        let d = clock.now - t0
        let wall = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        var totals = [Double(examples), (reduction?.seconds ?? 0) - before]
        try mpi?.allreduceSum(&totals)
        let commShare = totals[1] / Double(size) / wall
        let perStepBytes = Double((reduction?.bytes ?? 0) - bytesBefore) / Double(steps)
        if rank == 0 {
            print(String(format: "bench %@ ranks=%d params=%d steps=%d global batch≈%d: %.0f examples/s, %.1f ms/step, "
                         + "communication %.1f%% of step time (%.2f ms/step, %.2f MB/step per rank)",
                         kind, size, model.parameterCount, steps, globalBatch, totals[0] / wall, 1000 * wall / Double(steps),
                         100 * commShare, 1000 * totals[1] / Double(size) / Double(steps), perStepBytes / 1e6))
        }
    }
}
