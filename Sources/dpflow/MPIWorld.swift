import DataParallel
import DPPipeline
import PrivateDataFrame

/// Open MPI's communicator as the pipeline's data-parallel world: gradient and integer reductions, broadcasts
/// from rank 0, and the row shards of `RowShard`.
final class MPIWorld: DataParallelWorld, @unchecked Sendable {
    let communicator: MPICommunicator
    let shard: RowShard

    init(_ communicator: MPICommunicator) {
        self.communicator = communicator
        shard = RowShard(rank: communicator.rank, size: communicator.size)
    }

    var rank: Int { communicator.rank }
    var size: Int { communicator.size }
    var isRoot: Bool { communicator.isRoot }
    func ownsRow(_ index: Int) -> Bool { shard.contains(row: index) }
    func sumAcrossWorkers(_ values: inout [Double]) throws { try communicator.allreduceSum(&values) }
    func sumAcrossWorkers(_ values: inout [Float]) throws { try communicator.allreduceSum(&values) }
    func sumAcrossWorkers(_ values: inout [Int64]) throws { try communicator.allreduceSum(&values) }
    func broadcastFromRoot(_ values: inout [Float]) throws { try communicator.broadcastFromRoot(&values) }
    func broadcastFromRoot(_ values: inout [Double]) throws { try communicator.broadcastFromRoot(&values) }
    func broadcastFromRoot(_ values: inout [Int64]) throws { try communicator.broadcastFromRoot(&values) }
}
