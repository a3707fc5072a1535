import Foundation
import PrivateLearning

/// The start protocol of a data-parallel pipeline run, and the checks that precede it.
///
/// Every rank validates and plans the same pipeline from public facts. Then, in this order, on every rank:
/// 1. `agreeOnPlan`: rank 0 broadcasts whether it planned and its (ε, δ); every rank compares with its own plan,
///    and one all-reduce counts the ranks that failed or differ. Any failure stops every rank before a reservation.
/// 2. rank 0 alone binds the data file, grants on first use and reserves in the ledger;
/// 3. `announceStart` (rank 0) / `awaitStart` (others): rank 0 broadcasts that it reserved (or why not), and only
///    then does any rank read a data value.
/// After the start, a failing rank aborts the whole job (the CLI calls `MPI_Abort`); the reservation stays
/// charged, rank 0's `status.json` says `failed`.
public final class DataParallelJob: @unchecked Sendable {
    public let world: any DataParallelWorld
    private enum Phase { case planning, planned, started, finished }
    private let lock = NSLock()
    private var phase = Phase.planning

    public init(world: any DataParallelWorld) { self.world = world }

    public var isRoot: Bool { world.isRoot }

    /// Refuses what a data-parallel run cannot do exactly like one process (checked before any reservation).
    public static func checkSupported(_ pipeline: Pipeline, _ plan: PipelinePlan) throws {
        if plan.neighbouring != .addRemove {
            throw DataParallelError.unsupported("needs 'neighbouring: add_remove' (Poisson sampling of each shard with the global q); "
                + "replace_one's fixed-size batches and public split sizes are not sharded")
        }
        if plan.sizeSource == .data {
            throw DataParallelError.unsupported("needs a public size ('privacy.public_size') or a DP count of the rows")
        }
        if pipeline.spec.privacy.unit != nil {
            throw DataParallelError.unsupported("a privacy unit ('privacy.unit') is not sharded by unit yet")
        }
        for stage in pipeline.spec.stages {
            if let train = stage as? TrainStage, train.tune != nil {
                throw DataParallelError.unsupported("'tune' is not available (its trials are not reduced across ranks)")
            }
            if let evaluate = stage as? EvaluateStage, evaluate.mode == .exact {
                throw DataParallelError.unsupported("'evaluate: {mode: exact}' would report one shard's metrics")
            }
        }
    }

    /// Step 1 (every rank, once, right after planning). `plan` is nil on a rank whose planning failed.
    /// - Throws: on rank 0 `DataParallelError.plansDiffer`; elsewhere `rootDidNotStart` (rank 0 failed to plan,
    ///   exit code `rootExitCode`) or `plansDiffer`.
    public func agreeOnPlan(_ plan: PipelinePlan?, rootExitCode: Int32 = 1) throws {
        lock.lock(); defer { lock.unlock() }
        guard phase == .planning else { return }
        phase = .planned
        var announced: [Double] = world.isRoot
            ? (plan.map { [1, $0.totalEpsilon, $0.totalDelta] } ?? [0, Double(rootExitCode), 0]) : [0, 0, 0]
        try world.broadcastFromRoot(&announced)
        let rootPlanned = announced[0] == 1
        let agrees = rootPlanned && plan.map { $0.totalEpsilon == announced[1] && $0.totalDelta == announced[2] } == true
        var failures: [Double] = [agrees || !rootPlanned ? 0 : 1]
        try world.sumAcrossWorkers(&failures)
        if !rootPlanned {
            phase = .finished
            if !world.isRoot { throw DataParallelError.rootDidNotStart(exitCode: Int32(announced[1])) }
            return   // rank 0 reports its own error
        }
        if failures[0] > 0 {
            phase = .finished
            throw DataParallelError.plansDiffer(ranks: Int(failures[0]))
        }
    }

    /// Step 3 on rank 0: the reservation is made; the other ranks may read data.
    public func announceStart() throws {
        lock.lock(); defer { lock.unlock() }
        guard world.isRoot, phase == .planned else { return }
        phase = .started
        var start: [Double] = [1, 0]
        try world.broadcastFromRoot(&start)
    }

    /// Step 3 on the other ranks: waits for rank 0's reservation.
    /// - Throws: `rootDidNotStart` when rank 0 refused or failed before reserving.
    public func awaitStart() throws {
        lock.lock(); defer { lock.unlock() }
        guard !world.isRoot, phase == .planned else { return }
        var start: [Double] = [0, 0]
        try world.broadcastFromRoot(&start)
        guard start[0] == 1 else {
            phase = .finished
            throw DataParallelError.rootDidNotStart(exitCode: Int32(start[1]))
        }
        phase = .started
    }

    /// On rank 0 after an error: completes the collectives the other ranks still wait in before the start
    /// (telling them that the run did not start, with `exitCode`). Returns true when the run had already started
    /// (then the job must be aborted, since the other ranks are inside the stages).
    public func rootFailed(exitCode: Int32) -> Bool {
        lock.lock()
        let current = phase
        lock.unlock()
        switch current {
        case .planning:
            try? agreeOnPlan(nil, rootExitCode: exitCode)
            return false
        case .planned:
            lock.lock(); defer { lock.unlock() }
            phase = .finished
            var refusal: [Double] = [0, Double(exitCode)]
            try? world.broadcastFromRoot(&refusal)
            return false
        case .started: return true
        case .finished: return false
        }
    }

    /// Whether the start was announced (reads happen only after it).
    public var hasStarted: Bool {
        lock.lock(); defer { lock.unlock() }
        return phase == .started
    }
}
