import ArgumentParser
import DataParallel
import DPPipeline
import Foundation
import PrivateDataFrame

extension RunCommand {
    /// `mpirun -np K dpflow run pipeline.yaml`: every rank plans the same pipeline; rank 0 alone reserves,
    /// commits and writes the output folder; every rank trains on its shard of the rows (clipped sums all-reduced,
    /// noise once on rank 0) and combines its releases' integer sums before rank 0 adds noise once.
    ///
    /// Failure handling: before the reservation every rank stops with rank 0's exit code and nothing is charged;
    /// after it, a failing rank calls `MPI_Abort` (the launcher stops every rank, a clear error on stderr, non-zero
    /// exit), and rank 0's `status.json` says `failed`; the reservation stays charged.
    func runDataParallel(_ mpi: MPIEnvironment) throws {
        let communicator: MPICommunicator
        do { communicator = try MPICommunicator() } catch {
            printError("dpflow run (rank \(mpi.rank) of \(mpi.size)): \(error)")
            throw ExitCode(2)
        }
        let world = MPIWorld(communicator)
        let job = DataParallelJob(world: world)
        let runner = try CLIEnvironment.runner(pluginPaths: plugins.paths)
        if job.isRoot {
            try runAsRoot(runner: runner, job: job, communicator: communicator, world: world)
        } else {
            try runAsWorker(runner: runner, job: job, communicator: communicator, world: world)
        }
    }

    private func runAsRoot(runner: PipelineRunner, job: DataParallelJob, communicator: MPICommunicator, world: MPIWorld) throws {
        let location = ledger.location
        do {
            let outputDirectory: String
            if let output {
                outputDirectory = output
            } else {
                let (pipeline, _) = try runner.plan(file: file, epochsOverride: epochs, ledgerPath: location.path)
                outputDirectory = "runs/\(pipeline.spec.name)"
            }
            let progress = ProgressDisplay(quiet: quiet)
            var options = RunOptions(outputDirectory: outputDirectory, ledgerPath: location.path,
                                     createLedgerIfAbsent: location.mayCreateOnFirstUse, seed: seed, epochsOverride: epochs,
                                     events: { progress.handle($0) })
            options.parallel = job
            progress.handle(.log("data-parallel run: \(world.size) ranks (MPI); rank 0 reserves, commits and writes \(outputDirectory)"))
            let interrupts = InterruptHandler(outputDirectory: outputDirectory, file: file, dataParallel: true)
            let report = try PartialSums.$reduction.withValue(world) { try runner.run(file: file, options: options) }
            interrupts.disarm()
            progress.finish()
            Self.printSummary(report, outputDirectory: outputDirectory)
            communicator.finalize()
        } catch {
            let code: Int32
            switch error {
            case let e as PipelineError: code = e.exitCode
            case let e as DataParallelError: code = e.exitCode
            default: code = 4
            }
            printError("\(error)")
            if job.rootFailed(exitCode: code) {
                communicator.abort("rank 0 failed after the reservation (exit \(code)); the reservation stays charged and "
                                   + "the output folder's status.json says failed", code: code)
            }
            communicator.finalize()
            throw ExitCode(code)
        }
    }

    private func runAsWorker(runner: PipelineRunner, job: DataParallelJob, communicator: MPICommunicator, world: MPIWorld) throws {
        var options = RunOptions(outputDirectory: "", ledgerPath: "", createLedgerIfAbsent: false, seed: seed,
                                 epochsOverride: epochs, events: nil)
        options.parallel = job
        do {
            try PartialSums.$reduction.withValue(world) { try runner.runWorker(file: file, options: options) }
            communicator.finalize()
        } catch let error as DataParallelError where !job.hasStarted {
            if case .rootDidNotStart = error {} else { printError("dpflow rank \(world.rank): \(error)") }
            communicator.finalize()
            throw ExitCode(error.exitCode)
        } catch {
            guard job.hasStarted else {
                printError("dpflow rank \(world.rank): \(error)")
                communicator.finalize()
                throw ExitCode(4)
            }
            communicator.abort("failed after rank 0 reserved the budget: \(error)", code: 4)
        }
    }
}
