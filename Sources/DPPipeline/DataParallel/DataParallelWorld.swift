import PrivateDataFrame
import PrivateLearning

/// The ranks of a data-parallel job (`mpirun -np K dpflow run`), as the pipeline runner needs them: the
/// gradient reduction of DP-SGD, the integer reduction of DP releases, a broadcast from rank 0 and the
/// assignment of rows to ranks. The CLI adapts Open MPI's communicator to it; the pipeline never loads MPI.
public protocol DataParallelWorld: GradientReduction, PartialSumReduction {
    /// This process's rank, `0..<size`; rank 0 is the root (reserves, commits, draws noise, writes outputs).
    var rank: Int { get }
    /// Number of ranks (≥ 2 in a data-parallel job).
    var size: Int { get }
    /// In place: every rank receives rank 0's values.
    func broadcastFromRoot(_ values: inout [Double]) throws
    /// Whether this rank keeps row `index` (0-based position among the loaded rows). Every row belongs to
    /// exactly one rank, decided from public facts only (position, rank count).
    func ownsRow(_ index: Int) -> Bool
}
