import PrivateDataFrame
import PrivateLearning

extension RunContext {
    /// The data-parallel world of the run, nil for one process.
    var dataParallelWorld: (any DataParallelWorld)? { options.parallel?.world }

    /// Whether this process writes into the output folder (one process, or rank 0).
    public var writesOutputs: Bool { dataParallelWorld?.isRoot ?? true }

    /// This rank's shard of a loaded frame (the whole frame for one process): rows by `DataParallelWorld.ownsRow`.
    func shardOfRank(_ frame: PrivateDataFrame) -> PrivateDataFrame {
        guard let world = dataParallelWorld else { return frame }
        return frame.keepingRows(where: world.ownsRow)
    }

    /// The generator of DP-SGD's sampling (and, on the root, its noise): `noiseSource(offset: 1)`; in a seeded
    /// data-parallel run each rank samples its shard from its own stream (rank 0's is the one-process stream).
    func trainingNoiseSource() -> any NoiseSource {
        noiseSource(offset: 1 &+ UInt64(dataParallelWorld?.rank ?? 0) &* 0x1_0000_0000)
    }

    /// Makes a private model data-parallel: rank 0's initial parameters on every rank (an unseeded initialisation
    /// differs per process), the world as the gradient reduction (clipped sums all-reduced, noise once on rank 0,
    /// broadcast), and no noise prefetching on ranks that never draw noise.
    func prepareDataParallel(_ privateModel: PrivateModel, model: Sequential) throws {
        guard let world = dataParallelWorld else { return }
        var parameters = model.parameters
        var flat = parameters.flatMap(\.storage)
        try world.broadcastFromRoot(&flat)
        var offset = 0
        for k in parameters.indices {
            let n = parameters[k].count
            parameters[k].storage = Array(flat[offset..<(offset + n)])
            offset += n
        }
        model.parameters = parameters
        privateModel.reduction = world
        privateModel.prefetchesNoise = world.isRoot
    }
}
