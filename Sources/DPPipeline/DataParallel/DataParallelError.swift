/// Why a rank of a data-parallel job stops (besides the pipeline's own errors).
public enum DataParallelError: Error, Sendable, CustomStringConvertible {
    /// Rank 0 did not start the run (invalid pipeline, budget refused, ledger unusable): it reported why on its
    /// stderr and exits with `exitCode`; this rank exits with the same code. Nothing was charged unless rank 0 says so.
    case rootDidNotStart(exitCode: Int32)
    /// Some rank could not plan the pipeline or planned a different ε, δ (different files on its host); no
    /// budget was reserved.
    case plansDiffer(ranks: Int)
    /// The pipeline uses a feature that data-parallel runs do not support (found before any reservation).
    case unsupported(String)

    public var exitCode: Int32 {
        switch self {
        case .rootDidNotStart(let code): code
        case .plansDiffer, .unsupported: 1
        }
    }

    public var description: String {
        switch self {
        case .rootDidNotStart(let code):
            return "rank 0 did not start the run (exit \(code)); see its error above"
        case .plansDiffer(let ranks):
            return "error: \(ranks) rank(s) of the MPI job could not plan the pipeline or planned a different ε, δ "
                + "(every host needs the same pipeline, plugins and data file header); nothing was reserved"
        case .unsupported(let why):
            return "error: data-parallel run (mpirun): \(why); nothing was reserved"
        }
    }
}
