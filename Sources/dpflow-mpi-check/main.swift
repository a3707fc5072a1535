import DataParallel
import Foundation

// `mpirun -np K dpflow-mpi-check [train|noise]`: checks an Open MPI installation the way dpflow uses it (dlopen, rank and
// size, allreduce of Float and Double, broadcast from rank 0) and prints one line per rank. Exit 0 when every
// check passes on this rank. `train`: σ = 0 data-parallel DP-SGD equals the one-process run; `noise`: the
// update's noise std is σ·C/(qN) (noise drawn once, on rank 0). Used by the tests and by operators setting up hosts (docs/distributed.md).
let benchArguments = Array(CommandLine.arguments.dropFirst())
if benchArguments.first == "bench" {
    // `dpflow-mpi-check bench [mlp|cnn] [steps]`: one process without mpirun, K ranks under it.
    let kind = benchArguments.count > 1 ? benchArguments[1] : "mlp"
    let steps = benchArguments.count > 2 ? max(1, Int(benchArguments[2]) ?? 10) : 10
    do {
        let registry = try DataParallelCheck.registry()
        if MPIEnvironment.detect() != nil {
            let mpi = try MPICommunicator()
            try DataParallelBenchmark.run(mpi, model: kind, steps: steps, registry: registry)
            fflush(nil)
            mpi.finalize()
        } else {
            try DataParallelBenchmark.run(nil, model: kind, steps: steps, registry: registry)
        }
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("dpflow-mpi-check bench: \(error)\n".utf8))
        exit(1)
    }
}
guard let env = MPIEnvironment.detect() else {
    FileHandle.standardError.write(Data("dpflow-mpi-check: not started by mpirun with 2 or more ranks\n".utf8))
    exit(2)
}
do {
    let mpi = try MPICommunicator()
    guard mpi.rank == env.rank, mpi.size == env.size else { mpi.abort("rank/size differ from the launcher's environment") }
    let n = 1000
    var f = (0..<n).map { Float($0 % 7) * Float(mpi.rank + 1) }
    try mpi.allreduceSum(&f)
    let k = Float(mpi.size * (mpi.size + 1) / 2)
    let floatOK = (0..<n).allSatisfy { f[$0] == Float($0 % 7) * k }
    var d = [Double](repeating: 0.5, count: 3)
    d[0] = Double(mpi.rank)
    try mpi.allreduceSum(&d)
    let doubleOK = d[0] == Double(mpi.size * (mpi.size - 1) / 2) && d[1] == 0.5 * Double(mpi.size)
    var b: [Float] = mpi.isRoot ? [1.5, -2, 3] : [0, 0, 0]
    try mpi.broadcastFromRoot(&b)
    let bcastOK = b == [1.5, -2, 3]
    let shard = RowShard(rank: mpi.rank, size: mpi.size)
    var rows = [Double]((0..<10_000).map { shard.contains(row: $0) ? 1 : 0 })
    try mpi.allreduceSum(&rows)
    let shardOK = rows.allSatisfy { $0 == 1 }
    let mode = CommandLine.arguments.dropFirst().first ?? "basic"
    if mode == "train" || mode == "noise" {
        let ok = mode == "train" ? try DataParallelCheck.checkTraining(mpi) : try DataParallelCheck.checkNoise(mpi)
        fflush(nil)
        mpi.finalize()
        exit(ok ? 0 : 1)
    }
    print("rank \(mpi.rank)/\(mpi.size): allreduce float \(floatOK ? "ok" : "WRONG"), double \(doubleOK ? "ok" : "WRONG"), "
          + "broadcast \(bcastOK ? "ok" : "WRONG"), shards \(shardOK ? "disjoint and complete" : "WRONG")")
    fflush(nil)
    mpi.finalize()
    exit(floatOK && doubleOK && bcastOK && shardOK ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("dpflow-mpi-check: \(error)\n".utf8))
    exit(1)
}
