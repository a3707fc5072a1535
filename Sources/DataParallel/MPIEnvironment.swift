import Foundation

/// Whether this process was started by an MPI launcher, read from the environment the launcher sets
/// (Open MPI's `mpirun`/`mpiexec`: `OMPI_COMM_WORLD_SIZE`/`_RANK`; PMIx: `PMIX_RANK`; Slurm's `srun
/// --mpi=pmix`: `PMI_SIZE`/`PMI_RANK`). Nothing is loaded to find out: one process without MPI needs no MPI.
public struct MPIEnvironment: Sendable, Equatable {
    /// Ranks of the job.
    public var size: Int
    /// This process's rank, `0..<size`.
    public var rank: Int

    /// The job this process belongs to, or nil when it was not started by an MPI launcher (or with one rank).
    public static func detect(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> MPIEnvironment? {
        let pairs = [("OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"), ("PMI_SIZE", "PMI_RANK"), ("PMIX_SIZE", "PMIX_RANK")]
        for (s, r) in pairs {
            if let size = environment[s].flatMap({ Int($0) }), let rank = environment[r].flatMap({ Int($0) }),
               size >= 1, (0..<size).contains(rank) {
                return size > 1 ? MPIEnvironment(size: size, rank: rank) : nil
            }
        }
        return nil
    }
}
